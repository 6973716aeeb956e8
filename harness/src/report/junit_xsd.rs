//! The structural rules of Jenkins' junit-10.xsd (xunit-plugin), checked on a
//! parsed tree: which element may sit where, in which order, and which
//! attributes each may carry (and must). Test-only.
//!
//! - `testsuites`: children `testsuite*`; attributes name, time, tests,
//!   failures, disabled, errors (no `skipped`);
//! - `testsuite`: `properties?`, `testcase*`, `system-out?`, `system-err?` in
//!   that order; `name` and `tests` required; optional failures, errors, time,
//!   disabled, skipped, timestamp, hostname, id, package, file, log, url, version;
//! - `properties`: `property+`; `property`: name and value, both required;
//! - `testcase`: any of skipped, error, failure, system-out, system-err;
//!   `name` required; optional assertions, time, classname, status, class,
//!   file, line, log, group, url;
//! - `failure`, `error`: text, optional message and type; `skipped`: text,
//!   optional message; `system-out`, `system-err`: text, no attributes.

use quick_xml::events::Event;

/// One element: its name, attributes (unescaped), text and children.
#[derive(Debug, Default)]
pub struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub text: String,
    pub children: Vec<Element>,
}

impl Element {
    pub fn attr(&self, key: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

fn element(e: &quick_xml::events::BytesStart<'_>) -> Result<Element, String> {
    let mut attrs = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|e| format!("attribute: {e}"))?;
        let v = a
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| format!("attribute value: {e}"))?;
        attrs.push((
            String::from_utf8_lossy(a.key.as_ref()).to_string(),
            v.to_string(),
        ));
    }
    Ok(Element {
        name: String::from_utf8_lossy(e.name().as_ref()).to_string(),
        attrs,
        ..Element::default()
    })
}

/// Parses `xml` into its root element; any malformation is an error.
pub fn parse(xml: &str) -> Result<Element, String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut stack: Vec<Element> = vec![Element::default()];
    loop {
        match reader.read_event().map_err(|e| format!("not XML: {e}"))? {
            Event::Eof => break,
            Event::Start(e) => stack.push(element(&e)?),
            Event::Empty(e) => {
                let el = element(&e)?;
                stack.last_mut().ok_or("no parent")?.children.push(el);
            }
            Event::End(_) => {
                let el = stack.pop().ok_or("unbalanced")?;
                stack.last_mut().ok_or("unbalanced")?.children.push(el);
            }
            Event::Text(t) => {
                let text = t.xml10_content().map_err(|e| format!("text: {e}"))?;
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&text);
                }
            }
            Event::GeneralRef(r) => {
                let name = String::from_utf8_lossy(&r).to_string();
                let c = match name.as_str() {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "apos" => "'",
                    other => return Err(format!("unknown entity &{other};")),
                };
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(c);
                }
            }
            Event::CData(c) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&String::from_utf8_lossy(&c));
                }
            }
            _ => {}
        }
    }
    let mut doc = stack.pop().ok_or("unbalanced")?;
    if !stack.is_empty() || doc.children.len() != 1 {
        return Err("not one root element".into());
    }
    Ok(doc.children.remove(0))
}

/// (attributes allowed, attributes required) of an element.
fn attributes(name: &str) -> Option<(&'static [&'static str], &'static [&'static str])> {
    Some(match name {
        "testsuites" => (
            &["name", "time", "tests", "failures", "disabled", "errors"],
            &[],
        ),
        "testsuite" => (
            &[
                "name",
                "tests",
                "failures",
                "errors",
                "time",
                "disabled",
                "skipped",
                "timestamp",
                "hostname",
                "id",
                "package",
                "file",
                "log",
                "url",
                "version",
            ],
            &["name", "tests"],
        ),
        "properties" | "system-out" | "system-err" => (&[], &[]),
        "property" => (&["name", "value"], &["name", "value"]),
        "testcase" => (
            &[
                "name",
                "assertions",
                "time",
                "classname",
                "status",
                "class",
                "file",
                "line",
                "log",
                "group",
                "url",
            ],
            &["name"],
        ),
        "failure" | "error" => (&["message", "type"], &[]),
        "skipped" => (&["message"], &[]),
        _ => return None,
    })
}

/// Where each child of `parent` may be: its rank in the required order
/// (children must come in non-decreasing rank) and how many it may have.
fn child_rank(parent: &str, child: &str) -> Option<(usize, usize)> {
    let many = usize::MAX;
    Some(match (parent, child) {
        ("testsuites", "testsuite") => (0, many),
        ("testsuite", "properties") => (0, 1),
        ("testsuite", "testcase") => (1, many),
        ("testsuite", "system-out") => (2, 1),
        ("testsuite", "system-err") => (3, 1),
        ("properties", "property") => (0, many),
        ("testcase", "skipped" | "error" | "failure" | "system-out" | "system-err") => (0, many),
        _ => return None,
    })
}

/// Checks `root` and everything under it against junit-10.xsd's rules.
pub fn validate(root: &Element) -> Result<(), String> {
    if root.name != "testsuites" {
        return Err(format!("root element is <{}>, not <testsuites>", root.name));
    }
    check(root)
}

fn check(e: &Element) -> Result<(), String> {
    let (allowed, required) =
        attributes(&e.name).ok_or_else(|| format!("<{}> is not in the schema", e.name))?;
    for (k, _) in &e.attrs {
        if !allowed.contains(&k.as_str()) {
            return Err(format!("<{}> may not carry the attribute {k}", e.name));
        }
    }
    for r in required {
        if e.attr(r).is_none() {
            return Err(format!("<{}> lacks its required attribute {r}", e.name));
        }
    }
    let mut rank = 0;
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for c in &e.children {
        let (r, max) = child_rank(&e.name, &c.name)
            .ok_or_else(|| format!("<{}> may not hold <{}>", e.name, c.name))?;
        if r < rank {
            return Err(format!("<{}> holds <{}> out of order", e.name, c.name));
        }
        rank = r;
        let n = match counts.iter_mut().find(|(name, _)| *name == c.name) {
            Some((_, n)) => {
                *n += 1;
                *n
            }
            None => {
                counts.push((&c.name, 1));
                1
            }
        };
        if n > max {
            return Err(format!("<{}> holds more than {max} <{}>", e.name, c.name));
        }
        check(c)?;
    }
    Ok(())
}
