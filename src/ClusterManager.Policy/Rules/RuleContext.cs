namespace ClusterManager.Policy.Rules;

/// <summary>
/// What a rule is evaluated against: a node's attributes (including built-ins such as <c>#uname</c>), the current
/// time, and, where the rule sits in <c>rsc_defaults</c> / <c>op_defaults</c> or uses <c>value-source</c>, the
/// resource's agent, operation, parameters and meta attributes. Null resource/operation fields mean "no such data":
/// <c>rsc_expression</c> / <c>op_expression</c> are then false. <c>value-source=param|meta</c> applies when
/// <see cref="ResourceParameters"/> or <see cref="ResourceMeta"/> is given (Pacemaker's "match data", present for
/// location rules); without either, the value is taken literally, as in Pacemaker.
/// </summary>
public sealed record RuleContext(
    IReadOnlyDictionary<string, string> NodeAttributes,
    DateTimeOffset Now,
    string? ResourceClass = null,
    string? ResourceProvider = null,
    string? ResourceType = null,
    string? OperationName = null,
    TimeSpan? OperationInterval = null,
    IReadOnlyDictionary<string, string>? ResourceParameters = null,
    IReadOnlyDictionary<string, string>? ResourceMeta = null);
