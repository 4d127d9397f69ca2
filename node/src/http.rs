//! Serves the built page and `/bootstrap.json` on loopback.

use std::{net::SocketAddr, path::PathBuf};

use anyhow::{Context, Result};
use axum::{routing::get, Json, Router};
use tokio::net::TcpListener;
use tower_http::services::{ServeDir, ServeFile};

use crate::bootstrap::BootstrapBook;

pub async fn bind(addr: SocketAddr) -> Result<TcpListener> {
    TcpListener::bind(addr).await.with_context(|| format!("binding HTTP on {addr}"))
}

pub fn router(book: BootstrapBook, dist: PathBuf) -> Router {
    let index = dist.join("index.html");
    Router::new()
        .route("/bootstrap.json", get(move || async move { Json(book.snapshot()) }))
        .fallback_service(ServeDir::new(dist).fallback(ServeFile::new(index)))
}

pub async fn serve(listener: TcpListener, router: Router) -> Result<()> {
    axum::serve(listener, router).await.context("HTTP server")
}
