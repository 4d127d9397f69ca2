#[cfg(target_arch = "wasm32")]
fn main() {
    peerkeeper_web::install_panic_hook();
    yew::Renderer::<peerkeeper_www::app::App>::new().render();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("peerkeeper-www is the browser page: build it with scripts/build-page.sh and open it through peerkeeper-node");
    std::process::exit(2);
}
