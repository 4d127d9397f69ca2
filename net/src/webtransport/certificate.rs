//! One self-signed ECDSA P-256 certificate for the WebTransport listener, and the schedule that
//! says which certificate serves when.
//!
//! Browsers accept a self-signed certificate through `serverCertificateHashes` only if it is
//! ECDSA P-256, currently valid, and valid for at most 14 days in total; the hashes a browser
//! knows come from the multiaddr it was given. Time is cut into [`ROTATION_PERIOD`]s counted
//! from the Unix epoch: the certificate of period `k` serves during period `k`, and the listen
//! address names it and the certificate of period `k + 1`, so an address learnt at any moment
//! keeps working for at least one whole further period after it stops being current.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use libp2p::multihash::Multihash;
use rcgen::{CertificateParams, KeyPair, PKCS_ECDSA_P256_SHA256};

/// How long one certificate serves: 6 days. Cert `k` serves from `k * 6 d` to `(k + 1) * 6 d`
/// after the Unix epoch.
pub const ROTATION_PERIOD: Duration = Duration::from_secs(6 * 24 * 3600);

/// Total validity of a certificate: 13 days, under the browsers' 14-day maximum. It covers the
/// period before it serves (it is announced then), the period it serves, and the clock skew.
pub const CERT_VALIDITY: Duration = Duration::from_secs(13 * 24 * 3600);

/// How far a certificate's `not_before` lies before the start of its announced period: 1 h,
/// for browsers whose clock runs behind ours.
pub const CLOCK_SKEW: Duration = Duration::from_secs(3600);

/// Multihash code of SHA2-256, the only hash browsers accept in `serverCertificateHashes`.
const SHA2_256: u64 = 0x12;

const CERT_PEM_TAG: &str = "CERTIFICATE";
const KEY_PEM_TAG: &str = "PRIVATE KEY";

/// Why a certificate could not be made or read.
#[derive(Debug, thiserror::Error)]
pub enum CertificateError {
    #[error("generating a certificate: {0}")]
    Generate(#[from] rcgen::Error),
    #[error("certificate PEM: {0}")]
    Pem(String),
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("{path} is not a WebTransport certificate ({reason}); delete it to make a new one")]
    Corrupt { path: String, reason: String },
}

/// The period `now` falls in (0 for times before the epoch).
pub fn period_at(now: SystemTime) -> u64 {
    let since_epoch = now.duration_since(UNIX_EPOCH).unwrap_or_default();
    since_epoch.as_secs() / ROTATION_PERIOD.as_secs()
}

/// When `period` starts serving.
pub fn period_start(period: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(period.saturating_mul(ROTATION_PERIOD.as_secs()))
}

/// `(not_before, not_after)` of the certificate for `period`.
pub fn validity(period: u64) -> (SystemTime, SystemTime) {
    let not_before = period_start(period) - CLOCK_SKEW;
    (not_before, not_before + CERT_VALIDITY)
}

/// A self-signed ECDSA P-256 certificate and its key (PKCS#8), for one rotation period.
#[derive(Clone, PartialEq, Eq)]
pub struct Certificate {
    period: u64,
    cert_der: Vec<u8>,
    key_der: Vec<u8>,
}

impl std::fmt::Debug for Certificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key.
        f.debug_struct("Certificate")
            .field("period", &self.period)
            .field("certhash", &self.certhash())
            .finish()
    }
}

impl Certificate {
    /// A fresh certificate for `period`, valid as [`validity`] says.
    pub fn generate(period: u64) -> Result<Certificate, CertificateError> {
        let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256)?;
        let mut params = CertificateParams::new(vec!["localhost".to_string()])?;
        let (not_before, not_after) = validity(period);
        params.not_before = not_before.into();
        params.not_after = not_after.into();
        let cert = params.self_signed(&key)?;
        Ok(Certificate { period, cert_der: cert.der().to_vec(), key_der: key.serialize_der() })
    }

    pub fn period(&self) -> u64 {
        self.period
    }

    /// The SHA2-256 multihash of the DER certificate, as in `/certhash/<multibase>`.
    pub fn certhash(&self) -> Multihash<64> {
        let digest = self.tls_certificate().hash();
        Multihash::wrap(SHA2_256, digest.as_ref()).expect("a 32-byte digest fits a multihash")
    }

    /// The certificate and key in the form wtransport serves.
    pub(crate) fn identity(&self) -> wtransport::Identity {
        wtransport::Identity::new(
            wtransport::tls::CertificateChain::single(self.tls_certificate()),
            wtransport::tls::PrivateKey::from_der_pkcs8(self.key_der.clone()),
        )
    }

    fn tls_certificate(&self) -> wtransport::tls::Certificate {
        wtransport::tls::Certificate::from_der(self.cert_der.clone())
            .expect("checked when made or read")
    }

    /// The certificate, then its private key, as PEM.
    pub fn to_pem(&self) -> String {
        pem::encode_many(&[
            pem::Pem::new(CERT_PEM_TAG, self.cert_der.clone()),
            pem::Pem::new(KEY_PEM_TAG, self.key_der.clone()),
        ])
    }

    /// Reads what [`to_pem`](Self::to_pem) wrote, for `period`.
    pub fn from_pem(period: u64, text: &str) -> Result<Certificate, CertificateError> {
        let blocks = pem::parse_many(text).map_err(|e| CertificateError::Pem(e.to_string()))?;
        let block = |tag: &str| {
            blocks
                .iter()
                .find(|b| b.tag() == tag)
                .map(|b| b.contents().to_vec())
                .ok_or_else(|| CertificateError::Pem(format!("no {tag} block")))
        };
        let (cert_der, key_der) = (block(CERT_PEM_TAG)?, block(KEY_PEM_TAG)?);
        wtransport::tls::Certificate::from_der(cert_der.clone())
            .map_err(|e| CertificateError::Pem(e.to_string()))?;
        KeyPair::try_from(key_der.as_slice())
            .map_err(|e| CertificateError::Pem(format!("private key: {e}")))?;
        Ok(Certificate { period, cert_der, key_der })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: u64 = 24 * 3600;

    #[test]
    fn periods_are_six_days_from_the_epoch() {
        assert_eq!(period_at(UNIX_EPOCH), 0);
        assert_eq!(period_at(UNIX_EPOCH + Duration::from_secs(6 * DAY - 1)), 0);
        assert_eq!(period_at(UNIX_EPOCH + Duration::from_secs(6 * DAY)), 1);
        assert_eq!(period_start(2), UNIX_EPOCH + Duration::from_secs(12 * DAY));
    }

    #[test]
    fn a_certificate_is_valid_thirteen_days_from_an_hour_before_its_announced_period() {
        let (not_before, not_after) = validity(10);
        assert_eq!(not_before, UNIX_EPOCH + Duration::from_secs(60 * DAY - 3600));
        assert_eq!(not_after, UNIX_EPOCH + Duration::from_secs(73 * DAY - 3600));
        // Announced from the start of period 9, served through the end of period 10.
        assert!(not_before <= period_start(10) && not_after > period_start(11));
    }

    #[test]
    fn pem_round_trips_and_the_certhash_is_a_sha256_multihash() {
        let cert = Certificate::generate(3).unwrap();
        let back = Certificate::from_pem(3, &cert.to_pem()).unwrap();
        assert_eq!(back, cert);
        assert_eq!(cert.certhash().code(), 0x12);
        assert_eq!(cert.certhash().size(), 32);
        assert_ne!(Certificate::generate(3).unwrap().certhash(), cert.certhash());
    }

    #[test]
    fn garbage_pem_is_refused_with_the_reason() {
        let err = Certificate::from_pem(0, "not pem").unwrap_err().to_string();
        assert!(err.contains("no CERTIFICATE block"), "{err}");
        let only_cert = pem::encode(&pem::Pem::new(CERT_PEM_TAG, vec![1, 2, 3]));
        assert!(Certificate::from_pem(0, &only_cert).is_err());
    }
}
