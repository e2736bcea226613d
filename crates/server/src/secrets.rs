//! The JWT secret kept under the data directory when none is configured.

use std::path::Path;

use rand::RngCore;

/// Reads the generated secret, or generates one (owner-only file) with a warning.
pub fn data_dir_secret(dir: &Path) -> anyhow::Result<Vec<u8>> {
    let path = dir.join("jwt_secret");
    if let Ok(text) = std::fs::read_to_string(&path) {
        let s = text.trim();
        if s.len() >= 32 {
            return Ok(s.as_bytes().to_vec());
        }
        anyhow::bail!(
            "{} is too short; delete it to generate a new one",
            path.display()
        );
    }
    let mut b = [0u8; 48];
    rand::rng().fill_bytes(&mut b);
    let secret = hex::encode(b);
    write_private(&path, &secret)?;
    tracing::warn!(
        path = %path.display(),
        "SINERGI_JWT_SECRET is not set: generated a signing key into the data directory; set it explicitly in production"
    );
    Ok(secret.into_bytes())
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(text.as_bytes())?;
    Ok(())
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    std::fs::write(path, text)?;
    Ok(())
}
