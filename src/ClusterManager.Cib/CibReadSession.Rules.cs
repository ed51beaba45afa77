using System.Collections.Immutable;
using System.Xml.Linq;
using ClusterManager.Model.Configuration;

namespace ClusterManager.Cib;

internal sealed partial class CibReadSession
{
    private static readonly HashSet<string> ExpressionOperations =
        new(["lt", "gt", "lte", "gte", "eq", "ne", "defined", "not_defined"], StringComparer.OrdinalIgnoreCase);

    private static readonly HashSet<string> ExpressionTypes =
        new(["string", "integer", "number", "version"], StringComparer.OrdinalIgnoreCase);

    private static readonly HashSet<string> ValueSources =
        new(["literal", "param", "meta"], StringComparer.OrdinalIgnoreCase);

    private static readonly HashSet<string> DateOperations =
        new(["in_range", "gt", "lt", "date_spec"], StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Reads an nvpair set. An <c>id-ref</c> yields the very same <see cref="NvSet"/> instance as the set it names,
    /// so later passes can tell a reference from a duplicate id.
    /// </summary>
    private NvSet ReadNvSet(XElement element)
    {
        var e = Expand(element);
        if (_nvSets.TryGetValue(e, out var cached))
        {
            return cached;
        }

        var id = e.Required("id");
        var score = e.OptionalScore("score")?.Value ?? 0;
        Rule? rule = null;
        var pairs = ImmutableArray.CreateBuilder<NvPair>();
        foreach (var child in e.Elements())
        {
            switch (child.Name.LocalName)
            {
                case "nvpair":
                    pairs.Add(ReadNvPair(child));
                    break;
                case "attributes":
                    // Pacemaker 1.0's wrapper element around the nvpairs.
                    foreach (var nv in child.Elements("nvpair"))
                    {
                        pairs.Add(ReadNvPair(nv));
                    }

                    break;
                case "rule" when rule is null:
                    rule = ReadRule(child);
                    break;
                case "rule":
                    Warn($"{CibXml.Describe(e)}: only one rule per set is supported; {CibXml.Describe(child)} ignored");
                    break;
                default:
                    Warn($"{CibXml.Describe(e)}: <{child.Name.LocalName}> in an nvpair set is not modelled; ignored");
                    break;
            }
        }

        var set = new NvSet(id, score, rule, pairs.ToImmutable());
        _nvSets[e] = set;
        return set;
    }

    private NvPair ReadNvPair(XElement e)
    {
        if (e.Attr("id-ref") is not null)
        {
            var target = Expand(e);
            return new NvPair(target.Required("id"), e.Attr("name") ?? target.Required("name"), target.Attr("value"));
        }

        return new NvPair(e.Required("id"), e.Required("name"), e.Attr("value"));
    }

    private Rule ReadRule(XElement element)
    {
        var e = Expand(element);
        if (_rules.TryGetValue(e, out var cached))
        {
            return cached;
        }

        var id = e.Required("id");
        var op = e.Attr("boolean-op");
        var booleanOp = op switch
        {
            null => RuleBooleanOp.And,
            _ when op.Equals("and", StringComparison.OrdinalIgnoreCase) => RuleBooleanOp.And,
            _ when op.Equals("or", StringComparison.OrdinalIgnoreCase) => RuleBooleanOp.Or,
            _ => throw CibXml.Fail(e, $"boolean-op '{op}' is not 'and' or 'or'"),
        };

        var expressions = ImmutableArray.CreateBuilder<RuleExpression>();
        foreach (var child in e.Elements())
        {
            switch (child.Name.LocalName)
            {
                case "expression":
                    expressions.Add(ReadAttributeExpression(child));
                    break;
                case "date_expression":
                    expressions.Add(ReadDateExpression(child));
                    break;
                case "rsc_expression":
                    expressions.Add(new ResourceExpression(child.Required("id"), child.Attr("class"), child.Attr("provider"), child.Attr("type")));
                    break;
                case "op_expression":
                    expressions.Add(new OperationExpression(child.Required("id"), child.Required("name"), child.OptionalDuration("interval")));
                    break;
                case "rule":
                    expressions.Add(new NestedRuleExpression(ReadRule(child)));
                    break;
                default:
                    Warn($"{CibXml.Describe(e)}: <{child.Name.LocalName}> in a rule is not a known expression; ignored");
                    break;
            }
        }

        var rule = new Rule(id, e.OptionalScore("score"), e.Attr("score-attribute"), booleanOp, e.OptionalRole("role"), expressions.ToImmutable());
        _rules[e] = rule;
        return rule;
    }

    private AttributeExpression ReadAttributeExpression(XElement e)
    {
        var id = e.Required("id");
        var attribute = e.Required("attribute");
        var operation = e.Required("operation");
        if (!ExpressionOperations.Contains(operation))
        {
            throw CibXml.Fail(e, $"operation '{operation}' is not one of lt, gt, lte, gte, eq, ne, defined, not_defined");
        }

        var type = e.Attr("type");
        if (type is not null && !ExpressionTypes.Contains(type))
        {
            throw CibXml.Fail(e, $"type '{type}' is not one of string, integer, number, version");
        }

        var source = e.Attr("value-source");
        if (source is not null && !ValueSources.Contains(source))
        {
            throw CibXml.Fail(e, $"value-source '{source}' is not one of literal, param, meta");
        }

        return new AttributeExpression(id, attribute, operation, e.Attr("value"), type, source);
    }

    private DateExpression ReadDateExpression(XElement e)
    {
        var id = e.Required("id");
        var operation = e.Attr("operation") ?? "in_range";
        if (!DateOperations.Contains(operation))
        {
            throw CibXml.Fail(e, $"operation '{operation}' is not one of in_range, gt, lt, date_spec");
        }

        ImmutableSortedDictionary<string, string>? spec = null;
        ImmutableSortedDictionary<string, string>? duration = null;
        foreach (var child in e.Elements())
        {
            switch (child.Name.LocalName)
            {
                case "date_spec" when spec is null:
                    spec = AttributesOf(child);
                    break;
                case "duration" when duration is null:
                    duration = AttributesOf(child);
                    break;
                default:
                    Warn($"{CibXml.Describe(e)}: <{child.Name.LocalName}> is not modelled here; ignored");
                    break;
            }
        }

        return new DateExpression(id, operation, e.Attr("start"), e.Attr("end"), spec, duration);
    }

    /// <summary>All attributes of a date_spec or duration, including its <c>id</c> (kept so the CIB round-trips).</summary>
    private static ImmutableSortedDictionary<string, string> AttributesOf(XElement e) =>
        e.Attributes().ToImmutableSortedDictionary(a => a.Name.LocalName, a => a.Value, StringComparer.Ordinal);
}
