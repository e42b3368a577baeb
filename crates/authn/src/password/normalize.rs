//! Folding used to match custom banned words, in the spirit of Entra's password protection.
//!
//! Both the password and each banned word are lower-cased and then folded through the
//! same many-to-one table of look-alike characters, so "C0nt0$0" and "contoso" fold to the
//! same string. The table:
//!
//! | characters | fold to |
//! |---|---|
//! | `0` | `o` |
//! | `1`, `i`, `!`, `\|` | `l` |
//! | `$`, `5` | `s` |
//! | `@`, `4` | `a` |
//! | `3` | `e` |
//! | `7`, `+` | `t` |
//!
//! Because `1` can stand for either `l` or `i`, both letters fold to `l`: a folded password
//! contains a folded banned word whenever any reading of the substitutions would. Folding
//! only ever widens matches; it can make two different words collide ("limit" and "llmlt"),
//! which for a banned-word check errs on the side of rejecting.

/// Lower-cases `text` and folds look-alike characters (table in the module docs).
pub fn fold_for_banned_word_match(text: &str) -> String {
    text.chars()
        .flat_map(char::to_lowercase)
        .map(|character| match character {
            '0' => 'o',
            '1' | 'i' | '!' | '|' => 'l',
            '$' | '5' => 's',
            '@' | '4' => 'a',
            '3' => 'e',
            '7' | '+' => 't',
            other => other,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substitutions_fold_to_the_same_string() {
        assert_eq!(
            fold_for_banned_word_match("C0nt0$0"),
            fold_for_banned_word_match("contoso")
        );
        assert_eq!(
            fold_for_banned_word_match("P@$$w0rd"),
            fold_for_banned_word_match("password")
        );
        assert_eq!(
            fold_for_banned_word_match("Adm1n"),
            fold_for_banned_word_match("admin")
        );
        assert_eq!(
            fold_for_banned_word_match("4dmin!"),
            fold_for_banned_word_match("admini")
        );
        assert_eq!(
            fold_for_banned_word_match("s3cr37"),
            fold_for_banned_word_match("secret")
        );
    }

    #[test]
    fn other_characters_are_kept() {
        assert_eq!(fold_for_banned_word_match("Zürich-2024"), "zürlch-2o2a");
    }
}
