//! `uniffi-bindgen` of the uniffi version `medvault-ffi` is built with: generates the Kotlin
//! and Swift bindings from the built library (`generate --library …`).

fn main() {
    uniffi::uniffi_bindgen_main()
}
