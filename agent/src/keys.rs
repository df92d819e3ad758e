//! The signing key: from a key file or an environment variable, never from the command line
//! (where `ps` and shell history would show it).

use std::path::Path;
use subxt_signer::{sr25519::Keypair, SecretUri};

/// The environment variable a key may come from: a secret URI (`//Alice`, a mnemonic with an
/// optional derivation path, or a hex seed).
pub const KEY_ENV: &str = "HASHRATE_AGENT_SURI";

/// Loads the sr25519 key from `key_file` if given, else from [`KEY_ENV`].
///
/// A key file holds one secret URI (surrounding whitespace ignored) and must not be readable
/// by group or others (mode 0600 or stricter), as `ssh` requires of private keys.
pub fn load(key_file: Option<&Path>) -> Result<Keypair, String> {
	let (source, secret) = match key_file {
		Some(path) => (path.display().to_string(), read_key_file(path)?),
		None => match std::env::var(KEY_ENV) {
			Ok(secret) => (format!("${KEY_ENV}"), secret),
			Err(_) => {
				return Err(format!(
					"no signing key: pass --key-file FILE or set {KEY_ENV} (a key is never a \
					 command-line argument)"
				))
			},
		},
	};
	let uri: SecretUri =
		secret.trim().parse().map_err(|e| format!("{source}: not a secret URI: {e}"))?;
	Keypair::from_uri(&uri).map_err(|e| format!("{source}: not an sr25519 key: {e}"))
}

fn read_key_file(path: &Path) -> Result<String, String> {
	let name = path.display();
	let metadata = std::fs::metadata(path).map_err(|e| format!("key file {name}: {e}"))?;
	#[cfg(unix)]
	{
		use std::os::unix::fs::PermissionsExt;
		let mode = metadata.permissions().mode() & 0o777;
		if mode & 0o077 != 0 {
			return Err(format!(
				"key file {name}: readable by others (mode {mode:03o}); chmod 600 {name}"
			));
		}
	}
	#[cfg(not(unix))]
	let _ = metadata;
	std::fs::read_to_string(path).map_err(|e| format!("key file {name}: {e}"))
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn key_file_must_be_private_and_hold_a_secret_uri() {
		use std::os::unix::fs::PermissionsExt;
		let dir = std::env::temp_dir().join(format!("hashrate-agent-keys-{}", std::process::id()));
		std::fs::create_dir_all(&dir).unwrap();
		let file = dir.join("key");
		std::fs::write(&file, "//Eve\n").unwrap();
		std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
		let error = load(Some(&file)).unwrap_err();
		assert!(error.contains("readable by others (mode 644)"), "{error}");
		std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
		let eve = load(Some(&file)).unwrap();
		assert_eq!(eve.public_key().0, subxt_signer::sr25519::dev::eve().public_key().0);
		std::fs::write(&file, "not a uri at all").unwrap();
		assert!(load(Some(&file)).unwrap_err().contains("not"));
		let missing = dir.join("missing");
		assert!(load(Some(&missing)).unwrap_err().starts_with("key file"));
		std::fs::remove_dir_all(&dir).unwrap();
	}
}
