//! Reading what miglint needs from `alembic.ini` (and `[tool.alembic]` in
//! `pyproject.toml`, alembic ≥ 1.16): `script_location`,
//! `version_locations` and `sqlalchemy.url`.

use std::path::{Path, PathBuf};

use toml::de::{DeTable, DeValue};

/// A parsed INI file, as Python's `configparser` reads it (the subset alembic
/// files use): `[section]` headers, `key = value` / `key: value`, full-line
/// `#`/`;` comments, indented continuation lines; keys are case-insensitive.
#[derive(Debug, Default)]
pub(crate) struct Ini {
    sections: Vec<(String, Vec<(String, String)>)>,
}

impl Ini {
    pub(crate) fn parse(text: &str) -> Ini {
        let mut ini = Ini::default();
        // Whether the previous line was a key (continuation lines attach to it).
        let mut in_value = false;
        for raw in text.lines() {
            let line = raw.trim_end();
            let trimmed = line.trim_start();
            if trimmed.is_empty() {
                in_value = false;
                continue;
            }
            if trimmed.starts_with('#') || trimmed.starts_with(';') {
                continue;
            }
            let indented = line.len() != trimmed.len();
            if indented && in_value {
                if let Some((_, entries)) = ini.sections.last_mut()
                    && let Some((_, value)) = entries.last_mut()
                {
                    if !value.is_empty() {
                        value.push('\n');
                    }
                    value.push_str(trimmed);
                }
                continue;
            }
            if let Some(rest) = trimmed.strip_prefix('[')
                && let Some(name) = rest.strip_suffix(']')
            {
                ini.sections.push((name.trim().to_string(), Vec::new()));
                in_value = false;
                continue;
            }
            let sep = trimmed.find(['=', ':']);
            let (key, value) = match sep {
                Some(i) => (&trimmed[..i], &trimmed[i + 1..]),
                None => (trimmed, ""),
            };
            if ini.sections.is_empty() {
                // configparser rejects keys before any section; ignore them.
                continue;
            }
            if let Some((_, entries)) = ini.sections.last_mut() {
                entries.push((key.trim().to_ascii_lowercase(), value.trim().to_string()));
                in_value = true;
            }
        }
        ini
    }

    /// The raw (uninterpolated) value of `key` in `section`, falling back to
    /// `[DEFAULT]`. The last assignment wins.
    pub(crate) fn get_raw(&self, section: &str, key: &str) -> Option<&str> {
        let key = key.to_ascii_lowercase();
        let lookup = |name: &str| {
            self.sections
                .iter()
                .rev()
                .filter(|(s, _)| s == name)
                .flat_map(|(_, e)| e.iter().rev())
                .find(|(k, _)| *k == key)
                .map(|(_, v)| v.as_str())
        };
        lookup(section).or_else(|| lookup("DEFAULT"))
    }

    /// The value of `key` with `%(name)s` interpolation (`here` = `here`, other
    /// names from the same section or `[DEFAULT]`) and `%%` → `%`. `None` if
    /// the key is absent or a reference cannot be resolved.
    pub(crate) fn get(&self, section: &str, key: &str, here: &str) -> Option<String> {
        let raw = self.get_raw(section, key)?;
        self.interpolate(section, raw, here, 0)
    }

    fn interpolate(&self, section: &str, raw: &str, here: &str, depth: u32) -> Option<String> {
        if depth > 8 {
            return None;
        }
        let mut out = String::with_capacity(raw.len());
        let mut rest = raw;
        while let Some(i) = rest.find('%') {
            out.push_str(&rest[..i]);
            let after = &rest[i + 1..];
            if let Some(r) = after.strip_prefix('%') {
                out.push('%');
                rest = r;
            } else if let Some(r) = after.strip_prefix('(') {
                let close = r.find(")s")?;
                let name = r[..close].to_ascii_lowercase();
                let value = if name == "here" {
                    here.to_string()
                } else {
                    let v = self.get_raw(section, &name)?;
                    self.interpolate(section, v, here, depth + 1)?
                };
                out.push_str(&value);
                rest = &r[close + 2..];
            } else {
                return None;
            }
        }
        out.push_str(rest);
        Some(out)
    }
}

/// What miglint takes from an alembic configuration.
#[derive(Debug, Clone, Default)]
pub(crate) struct AlembicConfig {
    /// The file it was read from.
    pub(crate) path: PathBuf,
    /// `script_location`, resolved against the file's directory; `None` if
    /// absent or in `package:path` form.
    pub(crate) script_location: Option<PathBuf>,
    /// `version_locations`, resolved against the file's directory.
    pub(crate) version_locations: Vec<PathBuf>,
    /// `sqlalchemy.url`, raw (interpolation markers left in place).
    pub(crate) url: Option<String>,
}

/// Reads `alembic.ini`. `None` if it cannot be read.
pub(crate) fn read_alembic_ini(path: &Path) -> Option<AlembicConfig> {
    let text = crate::read::read_to_string_capped(path, crate::read::DEFAULT_MAX_FILE_SIZE).ok()?;
    let ini = Ini::parse(&text);
    let dir = path.parent().unwrap_or(Path::new("."));
    let here = dir.to_string_lossy().into_owned();
    let script_location = ini
        .get("alembic", "script_location", &here)
        .filter(|s| !s.is_empty() && !is_package_location(s))
        .map(|s| dir.join(s));
    let version_locations = match ini.get("alembic", "version_locations", &here) {
        Some(v) => {
            let sep = ini
                .get("alembic", "path_separator", &here)
                .or_else(|| ini.get("alembic", "version_path_separator", &here));
            split_locations(&v, sep.as_deref())
                .into_iter()
                .filter(|s| !is_package_location(s))
                .map(|s| dir.join(s))
                .collect()
        }
        None => Vec::new(),
    };
    let url = ini.get_raw("alembic", "sqlalchemy.url").map(str::to_string);
    Some(AlembicConfig {
        path: path.to_path_buf(),
        script_location,
        version_locations,
        url,
    })
}

/// Reads `[tool.alembic]` from a `pyproject.toml` (alembic ≥ 1.16). `None`
/// if the file has no such table.
pub(crate) fn read_alembic_pyproject(path: &Path) -> Option<AlembicConfig> {
    let text = crate::read::read_to_string_capped(path, crate::read::DEFAULT_MAX_FILE_SIZE).ok()?;
    let doc = DeTable::parse(&text).ok()?;
    let tool = doc.get_ref().get("tool")?.get_ref().as_table()?;
    let alembic = tool.get("alembic")?.get_ref().as_table()?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let here = dir.to_string_lossy();
    let subst = |s: &str| s.replace("%(here)s", &here);
    let script_location = alembic
        .get("script_location")
        .and_then(|v| v.get_ref().as_str())
        .map(subst)
        .filter(|s| !s.is_empty() && !is_package_location(s))
        .map(|s| dir.join(s));
    let version_locations = match alembic.get("version_locations").map(|v| v.get_ref()) {
        Some(DeValue::Array(items)) => items
            .iter()
            .filter_map(|v| v.get_ref().as_str())
            .map(subst)
            .collect(),
        Some(DeValue::String(s)) => split_locations(&subst(s), None),
        _ => Vec::new(),
    };
    let version_locations = version_locations
        .into_iter()
        .filter(|s| !is_package_location(s))
        .map(|s| dir.join(s))
        .collect();
    Some(AlembicConfig {
        path: path.to_path_buf(),
        script_location,
        version_locations,
        url: None,
    })
}

/// Splits `version_locations` the way alembic does: by the configured
/// separator (`os`, `space`, `newline`, `;`, `:`), or — when none is
/// configured — by spaces and/or commas (alembic's legacy behaviour).
pub(crate) fn split_locations(value: &str, separator: Option<&str>) -> Vec<String> {
    let parts: Vec<&str> = match separator.map(str::trim) {
        Some("os") => {
            let sep = if cfg!(windows) { ';' } else { ':' };
            value.split(sep).collect()
        }
        Some("space") => value.split(' ').collect(),
        Some("newline") => value.split('\n').collect(),
        Some(";") => value.split(';').collect(),
        Some(":") => value.split(':').collect(),
        _ => value
            .split(|c: char| c == ',' || c.is_whitespace())
            .collect(),
    };
    parts
        .into_iter()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// `myapp:migrations` (a package resource, which miglint does not resolve).
/// A Windows drive (`C:\x`) is not one.
fn is_package_location(s: &str) -> bool {
    let Some((pkg, _)) = s.split_once(':') else {
        return false;
    };
    if pkg.len() == 1 && pkg.bytes().all(|b| b.is_ascii_alphabetic()) {
        return false;
    }
    !pkg.is_empty()
        && pkg.split('.').all(|p| {
            p.chars()
                .next()
                .is_some_and(|c| c.is_alphabetic() || c == '_')
                && p.chars().all(|c| c.is_alphanumeric() || c == '_')
        })
}

/// `alembic.ini` in `dir` or the nearest ancestor; the search stops after a
/// directory holding `.git` (the repository root).
pub(crate) fn find_alembic_ini(dir: &Path) -> Option<PathBuf> {
    let mut current = Some(dir);
    while let Some(d) = current {
        let candidate = d.join("alembic.ini");
        if candidate.is_file() {
            return Some(candidate);
        }
        if d.join(".git").exists() {
            return None;
        }
        current = d.parent();
    }
    None
}

/// Whether a directory name looks like a migrations folder (`alembic*`,
/// `migrat*`, case-insensitive, leading underscores aside: `_migrations`).
pub(crate) fn is_migrations_dir_name(name: &str) -> bool {
    let lower = name.trim_start_matches('_').to_ascii_lowercase();
    lower.starts_with("alembic") || lower.starts_with("migrat")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ini_parsing_and_interpolation() {
        let ini = Ini::parse(
            "# comment\n[alembic]\nscript_location = %(here)s/alembic\nVersion_Locations = %(here)s/a\n    %(base)s/b\nbase = /x\npct = 50%%\n\n[other]\nk: v\n",
        );
        assert_eq!(
            ini.get("alembic", "script_location", "/p").as_deref(),
            Some("/p/alembic")
        );
        assert_eq!(
            ini.get("alembic", "version_locations", "/p").as_deref(),
            Some("/p/a\n/x/b")
        );
        assert_eq!(ini.get("alembic", "pct", "/p").as_deref(), Some("50%"));
        assert_eq!(ini.get("other", "k", "/p").as_deref(), Some("v"));
        assert_eq!(ini.get("alembic", "missing", "/p"), None);
    }

    #[test]
    fn location_splitting() {
        assert_eq!(split_locations("a b,c", None), ["a", "b", "c"]);
        assert_eq!(split_locations("a b:c d", Some(":")), ["a b", "c d"]);
        assert_eq!(split_locations("a\nb c", Some("newline")), ["a", "b c"]);
        assert_eq!(split_locations("a;b", Some(";")), ["a", "b"]);
        assert_eq!(split_locations("a b", Some("space")), ["a", "b"]);
        assert!(is_package_location("myapp.db:migrations"));
        assert!(!is_package_location("C:\\x"));
        assert!(!is_package_location("/abs/path"));
    }
}
