//! Every file of the real Entra export corpus imports, and exports back to an equal model.

use std::fs;
use std::path::{Path, PathBuf};

use portcullis_policy::import::{
    DocumentKind, TextEncoding, decode, export_json, import_documents, import_named_locations,
    import_policies,
};
use portcullis_policy::model::{NamedLocationKind, OpenEnum};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fixtures/conditional-access/j0eyv-baseline")
}

/// Lists the `.json` files of a corpus sub-directory, failing loudly if it is missing.
fn json_files(sub: &str) -> Vec<PathBuf> {
    let dir = corpus_dir().join(sub);
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("fixture directory {} is missing: {e}", dir.display()))
        .map(|entry| entry.expect("readable directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_policy_fixture_imports_and_round_trips() {
    let files = json_files("ConditionalAccess");
    assert_eq!(files.len(), 36, "the corpus has 36 policies");
    for path in &files {
        let bytes = fs::read(path).expect("readable fixture");
        let policies =
            import_policies(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(policies.len(), 1, "{}", path.display());
        let policy = &policies[0];
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("utf-8 name");
        assert_eq!(policy.display_name, stem, "{}", path.display());
        assert!(
            policy.state.as_ref().is_some_and(OpenEnum::is_known),
            "{}",
            path.display()
        );
        assert!(policy.conditions.is_some(), "{}", path.display());
        assert!(
            policy
                .extra
                .0
                .keys()
                .all(|key| !key.contains("@odata") && !key.starts_with('#')),
            "{}: annotations must be dropped",
            path.display()
        );

        let exported = export_json(policy).expect("serializable");
        let reimported = import_policies(exported.as_bytes())
            .unwrap_or_else(|e| panic!("{} re-import: {e}\n{exported}", path.display()));
        assert_eq!(&reimported[0], policy, "{} round trip", path.display());
    }
}

#[test]
fn the_corpus_covers_both_encodings() {
    let mut utf16 = 0;
    let mut utf8_bom = 0;
    for path in json_files("ConditionalAccess")
        .iter()
        .chain(&json_files("NamedLocations"))
    {
        let bytes = fs::read(path).expect("readable fixture");
        match decode(&bytes).expect("decodable").1 {
            TextEncoding::Utf16Le => utf16 += 1,
            TextEncoding::Utf8Bom => utf8_bom += 1,
            other => panic!("{}: unexpected encoding {other:?}", path.display()),
        }
    }
    assert_eq!((utf16, utf8_bom), (37, 2));
}

#[test]
fn every_named_location_fixture_imports_and_round_trips() {
    let files = json_files("NamedLocations");
    assert_eq!(files.len(), 3);
    let mut kinds = Vec::new();
    for path in &files {
        let bytes = fs::read(path).expect("readable fixture");
        let locations =
            import_named_locations(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(locations.len(), 1);
        let location = &locations[0];
        kinds.push(match &location.kind {
            NamedLocationKind::Ip(_) => "ip",
            NamedLocationKind::Country(_) => "country",
            NamedLocationKind::Other { .. } => "other",
        });
        let exported = export_json(location).expect("serializable");
        let reimported = import_named_locations(exported.as_bytes())
            .unwrap_or_else(|e| panic!("{} re-import: {e}\n{exported}", path.display()));
        assert_eq!(&reimported[0], location, "{} round trip", path.display());
    }
    kinds.sort_unstable();
    assert_eq!(kinds, ["country", "country", "other"]);
}

/// Nothing in the corpus is skipped silently: every file is either the licence or a JSON
/// export in one of the two directories the tests above import.
#[test]
fn no_corpus_file_is_left_out() {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.expect("readable directory entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else {
                out.push(path);
            }
        }
    }
    let root = corpus_dir();
    let mut files = Vec::new();
    walk(&root, &mut files);
    let mut imported = 0;
    for path in &files {
        let relative = path.strip_prefix(&root).expect("inside the corpus");
        let parent = relative.parent().and_then(Path::to_str).unwrap_or_default();
        let is_json = path.extension().is_some_and(|ext| ext == "json");
        match (parent, is_json) {
            ("ConditionalAccess" | "NamedLocations", true) => imported += 1,
            ("", false) if relative == Path::new("LICENSE") => {}
            _ => panic!("{} is not covered by the import tests", relative.display()),
        }
    }
    assert_eq!(imported, 39);
}

#[test]
fn the_whole_corpus_imports_without_knowing_the_kinds() {
    let mut policies = 0;
    let mut locations = 0;
    for path in json_files("ConditionalAccess")
        .iter()
        .chain(&json_files("NamedLocations"))
    {
        let bytes = fs::read(path).expect("readable fixture");
        for document in
            import_documents(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        {
            match document.kind() {
                DocumentKind::Policy => policies += 1,
                DocumentKind::NamedLocation => locations += 1,
                DocumentKind::AuthenticationStrength => {
                    panic!("{}: no strengths in the corpus", path.display())
                }
            }
        }
    }
    assert_eq!((policies, locations), (36, 3));
}
