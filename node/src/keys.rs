//! The node's persistent identity: an ed25519 key, a WebRTC certificate and the WebTransport
//! certificates (rotated on their own schedule, see `peerkeeper_net::webtransport`), created on
//! first start and reused after, so the multiaddrs printed once stay valid.

use std::{fs, path::Path, time::SystemTime};

use anyhow::{Context, Result};
use libp2p::identity::Keypair;
use libp2p_webrtc::tokio::Certificate;
use peerkeeper_net::webtransport::Certificates;

const KEY_FILE: &str = "identity.key";
const CERT_FILE: &str = "webrtc-cert.pem";

#[derive(Clone)]
pub struct NodeKeys {
    pub identity: Keypair,
    pub certificate: Certificate,
    pub webtransport: Certificates,
}

pub fn load_or_create(dir: &Path) -> Result<NodeKeys> {
    fs::create_dir_all(dir).with_context(|| format!("creating data dir {}", dir.display()))?;
    Ok(NodeKeys {
        identity: identity(dir)?,
        certificate: certificate(dir)?,
        webtransport: Certificates::load_or_create(dir, SystemTime::now())?,
    })
}

impl NodeKeys {
    /// A fresh identity and certificate that live in memory only (demo peers, tests).
    pub fn ephemeral() -> Result<NodeKeys> {
        Ok(NodeKeys {
            identity: Keypair::generate_ed25519(),
            certificate: Certificate::generate(&mut rand::rng())?,
            webtransport: Certificates::ephemeral(SystemTime::now())?,
        })
    }
}

fn identity(dir: &Path) -> Result<Keypair> {
    let path = dir.join(KEY_FILE);
    if path.exists() {
        let bytes = fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        return Keypair::from_protobuf_encoding(&bytes).with_context(|| {
            format!("{} is not a libp2p key; delete it to make a new one", path.display())
        });
    }
    let key = Keypair::generate_ed25519();
    write_private(&path, &key.to_protobuf_encoding()?)?;
    Ok(key)
}

fn certificate(dir: &Path) -> Result<Certificate> {
    let path = dir.join(CERT_FILE);
    if path.exists() {
        let pem =
            fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
        return Certificate::from_pem(&pem).map_err(|e| {
            anyhow::anyhow!(
                "{} is not a certificate ({e}); delete it to make a new one",
                path.display()
            )
        });
    }
    let cert = Certificate::generate(&mut rand::rng())?;
    write_private(&path, cert.serialize_pem().as_bytes())?;
    Ok(cert)
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(0o600))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_persist_across_restarts() {
        let dir = std::env::temp_dir().join(format!("peerkeeper-keys-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let first = load_or_create(&dir).unwrap();
        let second = load_or_create(&dir).unwrap();
        assert_eq!(first.identity.public().to_peer_id(), second.identity.public().to_peer_id());
        assert_eq!(first.certificate.fingerprint(), second.certificate.fingerprint());
        assert_eq!(first.webtransport.announced(), second.webtransport.announced());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn corrupt_key_file_is_refused_with_its_path() {
        let dir = std::env::temp_dir().join(format!("peerkeeper-badkey-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join(KEY_FILE), b"garbage").unwrap();
        let err = load_or_create(&dir).err().unwrap().to_string();
        assert!(err.contains(KEY_FILE), "{err}");
        fs::remove_dir_all(&dir).unwrap();
    }
}
