//! Builds the upgrade-test runtime (`runtime/upgrade-test`: this chain's runtime with
//! `spec_version` one higher) to wasm for the network tests' runtime upgrade; see
//! `hashrate_e2e::UPGRADE_WASM`. `SKIP_WASM_BUILD=1` skips it (the constant is then `None`).
fn main() {
	let project = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
		.join("../runtime/upgrade-test")
		.canonicalize()
		.expect("runtime/upgrade-test exists");
	// The project is a workspace of its own, locked by its own Cargo.lock (the main one's
	// versions): the wasm builder reads the workspace and lock from this hint.
	std::env::set_var("WASM_BUILD_WORKSPACE_HINT", &project);
	substrate_wasm_builder::WasmBuilder::new()
		.with_project(project.join("Cargo.toml"))
		.expect("runtime/upgrade-test/Cargo.toml exists")
		.import_memory()
		.export_heap_base()
		.build();
}
