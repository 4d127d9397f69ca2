//! The listener's rotating certificates: the one serving now, the next one (announced with it),
//! and the hash of the previous one (still accepted in the Noise handshake), optionally kept on
//! disk so the node's address survives a restart.

use std::{
    collections::HashSet,
    fs,
    path::{Path, PathBuf},
    time::SystemTime,
};

use libp2p::multihash::Multihash;

use super::certificate::{period_at, period_start, Certificate, CertificateError};

/// See the module docs.
#[derive(Clone, Debug)]
pub struct Certificates {
    dir: Option<PathBuf>,
    previous: Option<Multihash<64>>,
    current: Certificate,
    next: Certificate,
}

impl Certificates {
    /// Certificates that live in memory only (demo peers, tests): a restart changes the address.
    pub fn ephemeral(now: SystemTime) -> Result<Certificates, CertificateError> {
        let period = period_at(now);
        Ok(Certificates {
            dir: None,
            previous: None,
            current: Certificate::generate(period)?,
            next: Certificate::generate(period + 1)?,
        })
    }

    /// Certificates kept in `dir` as `webtransport-cert-<period>.pem` (0600): read when there,
    /// made and written when not. Files of periods before the previous one are deleted.
    pub fn load_or_create(
        dir: impl Into<PathBuf>,
        now: SystemTime,
    ) -> Result<Certificates, CertificateError> {
        let dir = dir.into();
        fs::create_dir_all(&dir).map_err(|e| io_error(&dir, e))?;
        let period = period_at(now);
        let previous = period
            .checked_sub(1)
            .map(|p| file(&dir, p))
            .filter(|path| path.exists())
            .and_then(|path| read(&path, period - 1).ok())
            .map(|c| c.certhash());
        let certificates = Certificates {
            current: obtain(Some(&dir), period)?,
            next: obtain(Some(&dir), period + 1)?,
            dir: Some(dir),
            previous,
        };
        certificates.prune();
        Ok(certificates)
    }

    /// Moves to the period `now` falls in, if it is another one; `Ok(true)` when the serving
    /// certificate (and so the address) changed.
    pub fn rotate(&mut self, now: SystemTime) -> Result<bool, CertificateError> {
        let period = period_at(now);
        if period == self.current.period() {
            return Ok(false);
        }
        let dir = self.dir.as_deref();
        let known = [&self.current, &self.next];
        let find = |p: u64| known.iter().find(|c| c.period() == p).map(|c| (*c).clone());
        let previous = period.checked_sub(1).and_then(find).map(|c| c.certhash());
        let current = match find(period) {
            Some(c) => c,
            None => obtain(dir, period)?,
        };
        let next = obtain(dir, period + 1)?;
        (self.previous, self.current, self.next) = (previous, current, next);
        self.prune();
        Ok(true)
    }

    /// The certificate the listener serves.
    pub fn serving(&self) -> &Certificate {
        &self.current
    }

    /// The certhashes the listen address carries: the serving certificate's, then the next one's.
    pub fn announced(&self) -> [Multihash<64>; 2] {
        [self.current.certhash(), self.next.certhash()]
    }

    /// The certhashes the Noise handshake reports: the announced ones and the previous one, so a
    /// browser holding last period's address (previous + serving) still passes its check.
    pub fn accepted(&self) -> HashSet<Multihash<64>> {
        self.previous.into_iter().chain(self.announced()).collect()
    }

    /// When the next certificate takes over.
    pub fn next_rotation(&self) -> SystemTime {
        period_start(self.current.period() + 1)
    }

    /// Deletes stored certificates older than the previous period (best effort).
    fn prune(&self) {
        let Some(dir) = &self.dir else { return };
        let Ok(entries) = fs::read_dir(dir) else { return };
        let keep_from = self.current.period().saturating_sub(1);
        for entry in entries.flatten() {
            let name = entry.file_name();
            let period = name
                .to_str()
                .and_then(|n| n.strip_prefix(FILE_PREFIX))
                .and_then(|n| n.strip_suffix(".pem"))
                .and_then(|n| n.parse::<u64>().ok());
            if period.is_some_and(|p| p < keep_from) {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
}

const FILE_PREFIX: &str = "webtransport-cert-";

fn file(dir: &Path, period: u64) -> PathBuf {
    dir.join(format!("{FILE_PREFIX}{period}.pem"))
}

fn obtain(dir: Option<&Path>, period: u64) -> Result<Certificate, CertificateError> {
    let Some(dir) = dir else { return Certificate::generate(period) };
    let path = file(dir, period);
    if path.exists() {
        return read(&path, period);
    }
    let cert = Certificate::generate(period)?;
    write_private(&path, cert.to_pem().as_bytes())?;
    Ok(cert)
}

fn read(path: &Path, period: u64) -> Result<Certificate, CertificateError> {
    let text = fs::read_to_string(path).map_err(|e| io_error(path, e))?;
    Certificate::from_pem(period, &text).map_err(|e| CertificateError::Corrupt {
        path: path.display().to_string(),
        reason: e.to_string(),
    })
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<(), CertificateError> {
    fs::write(path, bytes).map_err(|e| io_error(path, e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(0o600))
            .map_err(|e| io_error(path, e))?;
    }
    Ok(())
}

fn io_error(path: &Path, source: std::io::Error) -> CertificateError {
    CertificateError::Io { path: path.display().to_string(), source }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;
    use crate::webtransport::certificate::ROTATION_PERIOD;

    fn at_period(period: u64, plus: Duration) -> SystemTime {
        period_start(period) + plus
    }

    fn tempdir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("pk-wt-certs-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn rotation_happens_exactly_at_the_period_boundary_and_keeps_the_previous_hash() {
        let start = at_period(100, Duration::from_secs(5));
        let mut certs = Certificates::ephemeral(start).unwrap();
        let [current, next] = certs.announced();
        assert_eq!(certs.accepted(), HashSet::from([current, next]));
        assert_eq!(certs.next_rotation(), period_start(101));

        let just_before = period_start(101) - Duration::from_millis(1);
        assert!(!certs.rotate(just_before).unwrap());
        assert!(certs.rotate(period_start(101)).unwrap());
        let [now_serving, newest] = certs.announced();
        assert_eq!(now_serving, next);
        assert_eq!(certs.serving().period(), 101);
        assert_eq!(certs.accepted(), HashSet::from([current, next, newest]));
        assert_eq!(certs.next_rotation(), period_start(102));
    }

    #[test]
    fn a_jump_of_several_periods_replaces_every_certificate() {
        let mut certs = Certificates::ephemeral(at_period(7, Duration::ZERO)).unwrap();
        let old = certs.announced();
        assert!(certs.rotate(at_period(10, ROTATION_PERIOD / 2)).unwrap());
        let new = certs.announced();
        assert!(!old.contains(&new[0]) && !old.contains(&new[1]));
        assert_eq!(certs.accepted().len(), 2);
        assert_eq!(certs.serving().period(), 10);
    }

    #[test]
    fn stored_certificates_survive_a_restart_and_old_files_are_pruned() {
        let dir = tempdir("restart");
        let now = at_period(50, Duration::from_secs(60));
        let first = Certificates::load_or_create(&dir, now).unwrap();
        let second = Certificates::load_or_create(&dir, now + Duration::from_secs(3600)).unwrap();
        assert_eq!(first.announced(), second.announced());

        // Three periods later the restart starts afresh: periods 50 and 51 are deleted, and
        // period 52 (the previous one) was never made.
        let later = Certificates::load_or_create(&dir, at_period(53, Duration::ZERO)).unwrap();
        assert!(!later.announced().contains(&first.announced()[0]));
        let mut names: Vec<String> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, ["webtransport-cert-53.pem", "webtransport-cert-54.pem"]);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_rotation_writes_the_new_next_certificate_and_reuses_the_stored_one() {
        let dir = tempdir("rotate");
        let mut certs = Certificates::load_or_create(&dir, at_period(20, Duration::ZERO)).unwrap();
        certs.rotate(at_period(21, Duration::ZERO)).unwrap();
        let reloaded = Certificates::load_or_create(&dir, at_period(21, Duration::ZERO)).unwrap();
        assert_eq!(reloaded.announced(), certs.announced());
        assert_eq!(reloaded.accepted(), certs.accepted());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_corrupt_stored_certificate_is_refused_naming_its_file() {
        let dir = tempdir("corrupt");
        fs::create_dir_all(&dir).unwrap();
        fs::write(file(&dir, 0), "garbage").unwrap();
        let err = Certificates::load_or_create(&dir, UNIX_EPOCH).unwrap_err().to_string();
        assert!(err.contains("webtransport-cert-0.pem") && err.contains("delete it"), "{err}");
        fs::remove_dir_all(&dir).unwrap();
    }
}
