using System.Collections.Immutable;

namespace ClusterManager.Model.Configuration;

public enum RuleBooleanOp
{
    And,
    Or,
}

/// <summary>
/// A Pacemaker rule: its expressions combined with <see cref="BooleanOp"/>. In a location constraint a holding
/// rule gives each matching node <see cref="Score"/>, or the value of node attribute <see cref="ScoreAttribute"/>.
/// </summary>
public sealed record Rule(
    string Id,
    Score? Score,
    string? ScoreAttribute,
    RuleBooleanOp BooleanOp,
    ResourceRole? Role,
    ImmutableArray<RuleExpression> Expressions);

/// <summary>One condition of a rule.</summary>
public abstract record RuleExpression(string Id);

/// <summary>
/// <c>&lt;expression attribute operation value type value-source&gt;</c>: compares a node attribute.
/// Operation is one of lt, gt, lte, gte, eq, ne, defined, not_defined; Type is string, integer, number or version;
/// ValueSource is literal, param or meta.
/// </summary>
public sealed record AttributeExpression(
    string Id,
    string Attribute,
    string Operation,
    string? Value,
    string? Type,
    string? ValueSource) : RuleExpression(Id);

/// <summary>
/// <c>&lt;date_expression operation start end&gt;</c> with an optional <c>date_spec</c> or <c>duration</c>.
/// Operation is gt, lt, in_range or date_spec. Dates are ISO 8601 text as written in the CIB; the fields of
/// date_spec and duration are kept as written (e.g. hours="9-16", weekdays="1-5").
/// </summary>
public sealed record DateExpression(
    string Id,
    string Operation,
    string? Start,
    string? End,
    ImmutableSortedDictionary<string, string>? DateSpec,
    ImmutableSortedDictionary<string, string>? Duration) : RuleExpression(Id);

/// <summary><c>&lt;rsc_expression class provider type&gt;</c> (rules in rsc_defaults).</summary>
public sealed record ResourceExpression(string Id, string? Class, string? Provider, string? Type) : RuleExpression(Id);

/// <summary><c>&lt;op_expression name interval&gt;</c> (rules in op_defaults).</summary>
public sealed record OperationExpression(string Id, string Name, TimeSpan? Interval) : RuleExpression(Id);

/// <summary>A rule nested in a rule.</summary>
public sealed record NestedRuleExpression(Rule Rule) : RuleExpression(Rule.Id);
