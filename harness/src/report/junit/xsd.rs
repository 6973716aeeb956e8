//! The rules of Jenkins' junit-10.xsd (jenkinsci/xunit-plugin,
//! `src/main/resources/org/jenkinsci/plugins/xunit/types/model/xsd/junit-10.xsd`),
//! checked on a parsed tree: which element may sit where and which attributes
//! each may carry (and must). Test-only.
//!
//! - `testsuites`: a sequence of `testsuite`; attributes name, time, tests,
//!   failures, errors (no `skipped`, no `disabled`);
//! - `testsuite`: any of testsuite, properties, testcase, system-out,
//!   system-err, in any order; name, tests, failures and errors required;
//!   optional group, time, skipped, timestamp, hostname, id, package, file,
//!   log, url;
//! - `properties`: `property*`; `property`: name and value, both required;
//! - `testcase`: any of skipped, error, failure, rerunFailure, rerunError,
//!   flakyFailure, flakyError, system-out, system-err; name required; optional
//!   time, classname, group;
//! - `failure`, `error`, `skipped`: text, optional type and message;
//!   `system-out`, `system-err`: text, no attributes;
//! - `time` (SUREFIRE_TIME): digits, optionally grouped by commas, then an
//!   optional `.digits` (checked a little more loosely than its pattern).

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
        "testsuites" => (&["name", "time", "tests", "failures", "errors"], &[]),
        "testsuite" => (
            &[
                "name",
                "tests",
                "failures",
                "errors",
                "group",
                "time",
                "skipped",
                "timestamp",
                "hostname",
                "id",
                "package",
                "file",
                "log",
                "url",
            ],
            &["name", "tests", "failures", "errors"],
        ),
        "properties" | "system-out" | "system-err" => (&[], &[]),
        "property" => (&["name", "value"], &["name", "value"]),
        "testcase" => (&["name", "time", "classname", "group"], &["name"]),
        "failure" | "error" | "skipped" => (&["type", "message"], &[]),
        _ => return None,
    })
}

/// Whether `child` may sit in `parent`.
fn may_hold(parent: &str, child: &str) -> bool {
    matches!(
        (parent, child),
        ("testsuites", "testsuite")
            | (
                "testsuite",
                "testsuite" | "properties" | "testcase" | "system-out" | "system-err"
            )
            | ("properties", "property")
            | (
                "testcase",
                "skipped"
                    | "error"
                    | "failure"
                    | "rerunFailure"
                    | "rerunError"
                    | "flakyFailure"
                    | "flakyError"
                    | "system-out"
                    | "system-err"
            )
    )
}

/// SUREFIRE_TIME, a little loosely: `[0-9,]*(\.[0-9]*)?`.
fn surefire_time(t: &str) -> bool {
    let (whole, fraction) = t.split_once('.').unwrap_or((t, ""));
    whole.chars().all(|c| c.is_ascii_digit() || c == ',')
        && fraction.chars().all(|c| c.is_ascii_digit())
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
    for (k, v) in &e.attrs {
        if !allowed.contains(&k.as_str()) {
            return Err(format!("<{}> may not carry the attribute {k}", e.name));
        }
        if k == "time" && e.name != "testcase" && !surefire_time(v) {
            return Err(format!("<{}> time {v:?} is not a SUREFIRE_TIME", e.name));
        }
    }
    for r in required {
        if e.attr(r).is_none() {
            return Err(format!("<{}> lacks its required attribute {r}", e.name));
        }
    }
    for c in &e.children {
        if !may_hold(&e.name, &c.name) {
            return Err(format!("<{}> may not hold <{}>", e.name, c.name));
        }
        check(c)?;
    }
    Ok(())
}
