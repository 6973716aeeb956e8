//! The Go texts v0.1.96 answers a bad request body with (`encoding/json`
//! through gin's `ShouldBindJSON`, and go-playground/validator's `required`
//! tag), in one declarative table: a request type and a field's Go type give
//! the message. No contract fixes these texts (a golden of the contract tier
//! shows them at their strength, `observe::normative`); the reference keeps
//! them so the fidelity tier can compare it with the real release.

use super::canonical::GoValue;
use super::payload::go_type_name;

/// The decoder's message for an empty body (`io.EOF`).
pub const EOF: &str = "EOF";

/// A Go request struct as the decoder and the validator name it.
#[derive(Clone, Copy, Debug)]
pub struct GoStruct {
    /// Its package qualifier in a whole-value message (`handlers.`), or empty.
    pub package: &'static str,
    /// The struct's name.
    pub name: &'static str,
}

/// `POST /api/v1/execute[/async]/{target}` (`handlers.ExecuteRequest`).
pub const EXECUTE_REQUEST: GoStruct = handlers("ExecuteRequest");
/// The legacy `/reasoners` and `/skills` routes.
pub const EXECUTE_REASONER_REQUEST: GoStruct = handlers("ExecuteReasonerRequest");
/// `POST /api/v1/executions/{id}/restart`.
pub const RESTART_REQUEST: GoStruct = handlers("restartExecutionRequest");
/// `POST /api/v1/executions/batch-status`.
pub const BATCH_STATUS_REQUEST: GoStruct = handlers("BatchStatusRequest");
/// `POST /api/v1/executions/{id}/status`.
pub const STATUS_UPDATE_REQUEST: GoStruct = handlers("executionStatusUpdateRequest");
/// `POST /api/v1/workflow/executions/events`.
pub const WORKFLOW_EVENT_REQUEST: GoStruct = handlers("WorkflowExecutionEventRequest");
/// `POST /api/v1/memory/set`.
pub const SET_MEMORY_REQUEST: GoStruct = handlers("SetMemoryRequest");
/// `POST /api/v1/memory/get` and `/delete`.
pub const GET_MEMORY_REQUEST: GoStruct = handlers("GetMemoryRequest");
/// Agent registration (`types.AgentNode`, validated only).
pub const AGENT_NODE: GoStruct = GoStruct {
    package: "types.",
    name: "AgentNode",
};

/// A registration's `reasoners` entry (`types.ReasonerDefinition`).
pub const REASONER_DEFINITION: GoStruct = GoStruct {
    package: "types.",
    name: "ReasonerDefinition",
};
/// A registration's `skills` entry (`types.SkillDefinition`).
pub const SKILL_DEFINITION: GoStruct = GoStruct {
    package: "types.",
    name: "SkillDefinition",
};

/// Registration's callback URL checks (`validateCallbackURL`): not http(s).
pub fn callback_url_scheme(scheme: &str) -> String {
    format!("URL must use http or https scheme, got: {scheme}")
}
/// Registration's callback URL checks: a user (and password) in the URL.
pub const CALLBACK_URL_USER_INFO: &str = "URL must not include user info";
/// Registration's callback URL checks: no host.
pub const CALLBACK_URL_NO_HOST: &str = "URL must include a host";

/// A struct of package `handlers`.
pub const fn handlers(name: &'static str) -> GoStruct {
    GoStruct {
        package: "handlers.",
        name,
    }
}

/// A field's Go type, as the decoder names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GoType {
    /// `map[string]interface {}`
    Map,
    /// `string`
    String,
    /// `bool`
    Bool,
    /// `int64`
    Int64,
    /// `[]string`
    Strings,
    /// `handlers.WebhookRequest` (the restart body's `webhook`)
    Webhook,
}

impl GoType {
    /// The decoder's name of the type.
    pub fn name(self) -> &'static str {
        match self {
            GoType::Map => "map[string]interface {}",
            GoType::String => "string",
            GoType::Bool => "bool",
            GoType::Int64 => "int64",
            GoType::Strings => "[]string",
            GoType::Webhook => "handlers.WebhookRequest",
        }
    }
}

/// The body is not the struct's JSON kind (an array or a string for an object).
pub fn not_the_struct(got: &GoValue, s: GoStruct) -> String {
    not_the_struct_named(go_type_name(got), s)
}

/// [`not_the_struct`] with the JSON kind already named.
pub fn not_the_struct_named(got: &str, s: GoStruct) -> String {
    format!(
        "json: cannot unmarshal {got} into Go value of type {}{}",
        s.package, s.name
    )
}

/// A number that an integer field cannot hold (fractional or out of range):
/// the decoder quotes the number (Go quotes its literal text; the reference
/// prints the parsed double in Go's format, the same text for a canonical one).
pub fn wrong_number(n: f64, s: GoStruct, field: &str, want: GoType) -> String {
    format!(
        "json: cannot unmarshal number {} into Go struct field {}.{field} of type {}",
        super::canonical::format_number(n),
        s.name,
        want.name()
    )
}

/// A field holds another JSON kind than its Go type takes.
pub fn wrong_field(got: &GoValue, s: GoStruct, field: &str, want: GoType) -> String {
    format!(
        "json: cannot unmarshal {} into Go struct field {}.{field} of type {}",
        go_type_name(got),
        s.name,
        want.name()
    )
}

/// The validator's `required` tag failed on a field (Go field name).
pub fn required(s: GoStruct, field: &str) -> String {
    format!(
        "Key: '{}.{field}' Error:Field validation for '{field}' failed on the 'required' tag",
        s.name
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_texts_read_as_the_release_prints_them() {
        assert_eq!(
            not_the_struct(&GoValue::Array(vec![]), EXECUTE_REQUEST),
            "json: cannot unmarshal array into Go value of type handlers.ExecuteRequest"
        );
        assert_eq!(
            wrong_field(&GoValue::Array(vec![]), EXECUTE_REASONER_REQUEST, "input", GoType::Map),
            "json: cannot unmarshal array into Go struct field ExecuteReasonerRequest.input of type map[string]interface {}"
        );
        assert_eq!(
            required(BATCH_STATUS_REQUEST, "ExecutionIDs"),
            "Key: 'BatchStatusRequest.ExecutionIDs' Error:Field validation for 'ExecutionIDs' failed on the 'required' tag"
        );
        assert_eq!(
            not_the_struct(&GoValue::Array(vec![]), STATUS_UPDATE_REQUEST),
            "json: cannot unmarshal array into Go value of type handlers.executionStatusUpdateRequest"
        );
        assert_eq!(
            wrong_number(1.5, STATUS_UPDATE_REQUEST, "duration_ms", GoType::Int64),
            "json: cannot unmarshal number 1.5 into Go struct field executionStatusUpdateRequest.duration_ms of type int64"
        );
        assert_eq!(
            wrong_field(&GoValue::Bool(true), REASONER_DEFINITION, "reasoners.accepts_webhook", GoType::String),
            "json: cannot unmarshal bool into Go struct field ReasonerDefinition.reasoners.accepts_webhook of type string"
        );
    }
}
