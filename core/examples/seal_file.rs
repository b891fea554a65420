//! Seals a file into a local vault folder and opens it again, whole and by byte range.
//!
//! ```sh
//! MEDVAULT_PASSPHRASE='…' cargo run --release -p medvault --example seal_file -- FILE
//! ```
//!
//! The folder (`MEDVAULT_VAULT`, default `./medvault-data`) gets the key slots on first use
//! (`keyslots`, unlocked by the passphrase afterwards), one wrapped data key under `keys/` and
//! the sealed file under `objects/`; names are random ids, never the file's name.

use std::fs::{self, File};
use std::io::{self, BufReader, BufWriter, Read};
use std::path::{Path, PathBuf};
use std::time::Instant;

use medvault::crypto::{
    DataKey, Envelope, KeyId, KeySlots, ObjectIdentity, RootKey, UnlockCredential, VaultId,
};

type AnyResult<T> = Result<T, Box<dyn std::error::Error>>;

fn main() -> std::process::ExitCode {
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run() -> AnyResult<()> {
    let input = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .ok_or("usage: seal_file FILE (with MEDVAULT_PASSPHRASE set)")?;
    let passphrase = std::env::var("MEDVAULT_PASSPHRASE")
        .map_err(|_| "set MEDVAULT_PASSPHRASE to the vault's passphrase")?;
    let folder = PathBuf::from(
        std::env::var("MEDVAULT_VAULT").unwrap_or_else(|_| "medvault-data".to_owned()),
    );
    fs::create_dir_all(folder.join("keys"))?;
    fs::create_dir_all(folder.join("objects"))?;

    let started = Instant::now();
    let (slots, root) = unlock_or_create(&folder, passphrase.as_bytes())?;
    println!(
        "vault {} unlocked ({} slot(s), root key {}) in {:.0?}",
        slots.vault_id(),
        slots.slots().len(),
        root.id(),
        started.elapsed()
    );

    let vault = slots.vault_id();
    let key_id = KeyId::generate()?;
    let data_key = DataKey::generate()?;
    write_durably(
        &folder.join("keys").join(key_id.to_string()),
        &data_key.wrap(&root, vault, key_id)?.to_bytes(),
    )?;

    let object_id = KeyId::generate()?.to_string();
    let identity = ObjectIdentity::new("record", vault, object_id.as_bytes(), 1);
    let object_path = folder.join("objects").join(&object_id);
    let started = Instant::now();
    let mut writer = Envelope::sealing_writer(
        &data_key,
        key_id,
        &identity,
        BufWriter::new(File::create(&object_path)?),
    )?;
    let plaintext_len = io::copy(&mut BufReader::new(File::open(&input)?), &mut writer)?;
    let file = writer
        .finish()?
        .into_inner()
        .map_err(|error| error.into_error())?;
    file.sync_all()?;
    let sealed_len = fs::metadata(&object_path)?.len();
    println!(
        "sealed {} bytes into objects/{object_id} ({sealed_len} bytes) in {:.1?}",
        plaintext_len,
        started.elapsed()
    );

    let mut original = BufReader::new(File::open(&input)?);
    let mut opened = Envelope::opening_reader(
        &data_key,
        &identity,
        BufReader::new(File::open(&object_path)?),
    )?;
    if !same_contents(&mut original, &mut opened)? {
        return Err("the opened object differs from the input".into());
    }
    println!("opened it again: identical to {}", input.display());

    let (offset, len) = (plaintext_len / 2, plaintext_len.min(64) / 2);
    let range = Envelope::open_range(
        &data_key,
        &identity,
        &File::open(&object_path)?,
        offset,
        len,
    )?;
    println!(
        "bytes {offset}..{} read by range: {:?}",
        offset + len,
        String::from_utf8_lossy(&range)
    );
    Ok(())
}

/// Unlocks the vault in `folder` with `passphrase`, creating it on first use.
fn unlock_or_create(folder: &Path, passphrase: &[u8]) -> AnyResult<(KeySlots, RootKey)> {
    let slots_path = folder.join("keyslots");
    let credential = UnlockCredential::Passphrase(passphrase);
    match fs::read(&slots_path) {
        Ok(bytes) => {
            let slots = KeySlots::from_bytes(&bytes)?;
            let root = slots.unlock(credential)?;
            Ok((slots, root))
        }
        Err(error) if error.kind() == io::ErrorKind::NotFound => {
            let root = RootKey::generate()?;
            let slots = KeySlots::new(VaultId::generate()?, &root, credential)?;
            write_durably(&slots_path, &slots.to_bytes())?;
            println!("created a new vault in {}", folder.display());
            Ok((slots, root))
        }
        Err(error) => Err(error.into()),
    }
}

/// Writes `bytes` to `path` and fsyncs the file and its folder.
fn write_durably(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let file = File::create(path)?;
    io::Write::write_all(&mut &file, bytes)?;
    file.sync_all()?;
    File::open(path.parent().unwrap_or(Path::new(".")))?.sync_all()
}

/// Compares two readers to the end, a buffer at a time.
fn same_contents(a: &mut impl Read, b: &mut impl Read) -> io::Result<bool> {
    let (mut left, mut right) = (vec![0u8; 64 * 1024], vec![0u8; 64 * 1024]);
    loop {
        let n = read_up_to(a, &mut left)?;
        let m = read_up_to(b, &mut right)?;
        if left[..n] != right[..m] {
            return Ok(false);
        }
        if n == 0 {
            return Ok(true);
        }
    }
}

fn read_up_to(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}
