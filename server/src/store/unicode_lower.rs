//! SQLite's built-in `lower()` folds only ASCII, PostgreSQL's folds every letter: the same
//! search (`lower(name) LIKE $1`, the term lower-cased in Rust) found "Émile" for "émile" on
//! one engine and not the other. Every SQLite connection this process opens gets a `lower(X)`
//! that lower-cases the way Rust's `str::to_lowercase` does, so the one SQL text means the
//! same on both engines and agrees with the Rust side.
//!
//! sqlx's `Any` driver does not hand out the raw SQLite handle, so the function is registered
//! as an SQLite *auto extension*: SQLite calls it for each connection it opens in this process.
//! It is registered once, before the first connection. The schema never indexes `lower(…)`,
//! and a string this function returns unchanged is unchanged by the built-in too, so a
//! database written here stays valid for any other SQLite tool (`CHECK (email = lower(email))`
//! included).

use libsqlite3_sys as ffi;
use std::ffi::{c_char, c_int};
use std::sync::Once;

/// Make every SQLite connection opened from now on use the Unicode `lower()`. Idempotent.
pub fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // SAFETY: `register` has the signature SQLite expects of an extension entry point.
        let rc = unsafe { ffi::sqlite3_auto_extension(Some(register)) };
        if rc != ffi::SQLITE_OK {
            tracing::error!(
                code = rc,
                "could not register the Unicode lower() for SQLite; searches fold only ASCII"
            );
        }
    });
}

/// The extension entry point: defines `lower(X)` on the connection `db`.
unsafe extern "C" fn register(
    db: *mut ffi::sqlite3,
    _err: *mut *mut c_char,
    _api: *const ffi::sqlite3_api_routines,
) -> c_int {
    // SAFETY: SQLite passes an open connection; the name is a NUL-terminated literal.
    unsafe {
        ffi::sqlite3_create_function_v2(
            db,
            c"lower".as_ptr(),
            1,
            ffi::SQLITE_UTF8 | ffi::SQLITE_DETERMINISTIC | ffi::SQLITE_INNOCUOUS,
            std::ptr::null_mut(),
            Some(lower),
            None,
            None,
            None,
        )
    }
}

/// `lower(X)`: NULL stays NULL; anything else is read as text and lower-cased.
unsafe extern "C" fn lower(
    ctx: *mut ffi::sqlite3_context,
    argc: c_int,
    argv: *mut *mut ffi::sqlite3_value,
) {
    // SAFETY: SQLite calls this with `argc` (1, as registered) values in `argv`, valid for the
    // call; the text pointer it returns is valid for `sqlite3_value_bytes` bytes until the
    // value changes, and the result is copied (`SQLITE_TRANSIENT`) before we return.
    unsafe {
        if argc != 1 {
            ffi::sqlite3_result_null(ctx);
            return;
        }
        let value = *argv;
        if ffi::sqlite3_value_type(value) == ffi::SQLITE_NULL {
            ffi::sqlite3_result_null(ctx);
            return;
        }
        let text = ffi::sqlite3_value_text(value);
        if text.is_null() {
            ffi::sqlite3_result_error_nomem(ctx);
            return;
        }
        let len = usize::try_from(ffi::sqlite3_value_bytes(value)).unwrap_or(0);
        let folded = fold(std::slice::from_raw_parts(text, len));
        ffi::sqlite3_result_text64(
            ctx,
            folded.as_ptr().cast(),
            folded.len() as u64,
            ffi::SQLITE_TRANSIENT(),
            ffi::SQLITE_UTF8 as u8,
        );
    }
}

/// Lower-case UTF-8 text as Rust does; bytes that are not UTF-8 (a BLOB read as text) are
/// folded as the built-in would, ASCII only.
fn fold(bytes: &[u8]) -> Vec<u8> {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_lowercase().into_bytes(),
        Err(_) => bytes.to_ascii_lowercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::fold;

    #[test]
    fn folds_every_letter_and_leaves_the_rest() {
        assert_eq!(fold("ÉMILE Öztürk".as_bytes()), "émile öztürk".as_bytes());
        assert_eq!(fold("ΣΟΦΊΑ".as_bytes()), "σοφία".as_bytes());
        assert_eq!(fold(b"50%_OFF"), b"50%_off");
        assert_eq!(fold(&[0xff, b'A']), vec![0xff, b'a']);
    }
}
