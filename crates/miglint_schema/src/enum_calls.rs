//! Enum types created and dropped outside ops: `.create(bind)` /
//! `.drop(bind)` calls in a function's text.

use miglint_diagnostics::TextRange;

use crate::rev::Rev;
use crate::state::{Schema, key};

impl Rev<'_, '_> {
    /// `sa.Enum(..., name="x").create(bind)` / `my_enum.create(bind)` (a
    /// module-level enum): types created outside any op.
    pub(crate) fn enum_creates(&mut self, text: &str, base: u32, state: &mut Schema) {
        if !self.pg() {
            return;
        }
        let m = self.input.module;
        let mut found: Vec<(String, TextRange, bool)> = Vec::new();
        // `name="x"` literals in the function
        let mut from = 0;
        while let Some(pos) = text[from..].find("name=") {
            let at = from + pos + 5;
            from = at;
            let rest = &text[at..];
            let Some(q) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
                continue;
            };
            let Some(end) = rest[1..].find(q) else {
                continue;
            };
            let name = &rest[1..1 + end];
            if !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
                let start = base + at as u32;
                found.push((
                    name.to_string(),
                    TextRange::new(start, start + end as u32 + 2),
                    false,
                ));
            }
        }
        // `NAME.create(` of a module-level enum
        for b in &m.bindings {
            if !text.contains(&format!("{}.create(", b.name)) {
                continue;
            }
            let Some(call) = b.value.as_call() else {
                continue;
            };
            let is_enum = call
                .func
                .dotted_last()
                .is_some_and(|d| matches!(d, "Enum" | "ENUM"));
            if let (true, Some(k)) = (is_enum, call.kwarg("name"))
                && let Some(n) = k.value.str_value()
            {
                let at = text.find(&format!("{}.create(", b.name)).unwrap_or(0) as u32;
                found.push((
                    n.to_string(),
                    TextRange::new(base + at, base + at + b.name.len() as u32),
                    true,
                ));
            }
        }
        for (name, range, bound) in found {
            if state.enums.contains_key(&key(&name)) {
                continue;
            }
            self.put_enum(
                state,
                crate::state::EnumType {
                    name: name.clone(),
                    values: None,
                    origin: self.origin(range),
                    stamp: 0,
                },
            );
            // a `name="x"` anywhere in a function that calls `.create(`:
            // maybe not that type's creation, so not certain
            if !bound && let Some(e) = state.enum_mut(&name) {
                e.stamp = 0;
            }
        }
    }

    /// The `.drop(` calls of a function: the enum types of module-level
    /// names they drop (`status_enum.drop(bind)`), how many drop the
    /// result of a call (`sa.Enum(..., name="x").drop(bind)`), and whether
    /// some drop has a receiver that is neither.
    pub(crate) fn enum_drops(&self, text: &str) -> (Vec<String>, usize, bool) {
        let m = self.input.module;
        let mut names = Vec::new();
        let mut calls = 0;
        let mut unresolved = false;
        for (at, _) in text.match_indices(".drop(") {
            let before = &text[..at];
            let start = before
                .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .map_or(0, |i| i + 1);
            let recv = &before[start..];
            let bound = m.bindings.iter().find(|b| b.name == recv).and_then(|b| {
                let call = b.value.as_call()?;
                let d = call.func.dotted_last()?;
                matches!(d, "Enum" | "ENUM")
                    .then(|| call.kwarg("name")?.value.str_value().map(str::to_string))?
            });
            match bound {
                Some(n) => names.push(n),
                None if before.ends_with(')') => calls += 1,
                None => unresolved = true,
            }
        }
        (names, calls, unresolved)
    }
}
