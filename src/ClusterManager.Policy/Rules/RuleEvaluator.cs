using System.Globalization;
using ClusterManager.Model.Configuration;

namespace ClusterManager.Policy.Rules;

/// <summary>
/// Evaluates Pacemaker rules with the semantics of Pacemaker 2.1.5 (lib/pengine/rules.c):
/// <list type="bullet">
/// <item><c>boolean-op</c> and/or short-circuit in document order; a rule without expressions is true for
/// <c>and</c> and false for <c>or</c>.</item>
/// <item>Attribute expressions compare the node attribute (left) with the value (right). Without <c>type</c>,
/// lt/gt/lte/gte compare as <c>integer</c> (or <c>number</c> when either side contains a '.'), everything else as
/// <c>string</c>. Strings compare case-insensitively (<c>strcasecmp</c>); an unparsable integer or number falls back
/// to string comparison; versions compare dot-separated integers (missing parts are 0). eq/ne also hold when both
/// sides are missing / exactly one is; lt/gt/lte/gte are false when either side is missing.</item>
/// <item>Date expressions: <c>in_range</c> (start ≤ now ≤ end, end inclusive, end may come from a
/// <c>duration</c>), <c>gt</c> (now &gt; start), <c>lt</c> (now &lt; end), <c>date_spec</c> (every given field matches
/// now; ranges "9-16", open ranges "9-" / "-16"; unparsable fields are ignored). Dates without an offset are UTC.</item>
/// <item><c>rsc_expression</c> and <c>op_expression</c> match the context's agent and operation.</item>
/// </list>
/// </summary>
public static class RuleEvaluator
{
    /// <summary>Whether <paramref name="rule"/> holds in <paramref name="context"/>.</summary>
    public static bool Evaluate(Rule rule, RuleContext context)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(context);
        var isAnd = rule.BooleanOp == RuleBooleanOp.And;
        foreach (var expression in rule.Expressions)
        {
            var result = EvaluateExpression(expression, context);
            if (result && !isAnd)
            {
                return true;
            }

            if (!result && isAnd)
            {
                return false;
            }
        }

        return isAnd;
    }

    private static bool EvaluateExpression(RuleExpression expression, RuleContext context) => expression switch
    {
        NestedRuleExpression nested => Evaluate(nested.Rule, context),
        AttributeExpression a => EvaluateAttribute(a, context),
        DateExpression d => DateRules.Evaluate(d, context.Now),
        ResourceExpression r => EvaluateResource(r, context),
        OperationExpression o => EvaluateOperation(o, context),
        _ => false,
    };

    private static bool EvaluateAttribute(AttributeExpression e, RuleContext context)
    {
        // #role expressions need the resource's role, which rules evaluated here never have (Pacemaker: false).
        if (e.Attribute == "#role")
        {
            return false;
        }

        var value = e.Value;

        // Pacemaker's expand_value_source applies only when the rule is evaluated with resource data (match data):
        // then an empty value is no value, and param/meta look the value up (missing table or name: no value).
        if (context.ResourceParameters is not null || context.ResourceMeta is not null)
        {
            var source = e.ValueSource;
            if (string.IsNullOrEmpty(value))
            {
                value = null;
            }
            else if (string.Equals(source, "param", StringComparison.OrdinalIgnoreCase))
            {
                value = context.ResourceParameters?.GetValueOrDefault(value);
            }
            else if (string.Equals(source, "meta", StringComparison.OrdinalIgnoreCase))
            {
                value = context.ResourceMeta?.GetValueOrDefault(value);
            }
        }

        var actual = context.NodeAttributes.GetValueOrDefault(e.Attribute);
        return Accept(actual, value, e.Type, e.Operation);
    }

    internal static bool Accept(string? left, string? right, string? type, string op)
    {
        if (op.Equals("defined", StringComparison.OrdinalIgnoreCase))
        {
            return left is not null;
        }

        if (op.Equals("not_defined", StringComparison.OrdinalIgnoreCase))
        {
            return left is null;
        }

        var cmp = Compare(left, right, type, op);
        if (op.Equals("eq", StringComparison.OrdinalIgnoreCase))
        {
            return cmp == 0;
        }

        if (op.Equals("ne", StringComparison.OrdinalIgnoreCase))
        {
            return cmp != 0;
        }

        if (left is null || right is null)
        {
            return false;
        }

        return op.ToLowerInvariant() switch
        {
            "lt" => cmp < 0,
            "lte" => cmp <= 0,
            "gt" => cmp > 0,
            "gte" => cmp >= 0,
            _ => false,
        };
    }

    private static int Compare(string? left, string? right, string? type, string op)
    {
        if (left is null || right is null)
        {
            return (left, right) switch
            {
                (null, null) => 0,
                (_, null) => 1,
                _ => -1,
            };
        }

        type ??= op.ToLowerInvariant() is "lt" or "lte" or "gt" or "gte"
            ? (left.Contains('.', StringComparison.Ordinal) || right.Contains('.', StringComparison.Ordinal) ? "number" : "integer")
            : "string";

        switch (type.ToLowerInvariant())
        {
            case "integer":
                if (TryScanLong(left, out var li) && TryScanLong(right, out var ri))
                {
                    return li.CompareTo(ri);
                }

                return StrCaseCmp(left, right);
            case "number":
                if (TryScanDouble(left, out var ld) && TryScanDouble(right, out var rd))
                {
                    return ld < rd ? -1 : ld > rd ? 1 : 0;
                }

                return StrCaseCmp(left, right);
            case "version":
                return CompareVersion(left, right);
            case "string":
                return StrCaseCmp(left, right);
            default:
                // Pacemaker leaves cmp at 0 for an unknown type.
                return 0;
        }
    }

    /// <summary>C's <c>strcasecmp</c>: byte compare after ASCII lower-casing.</summary>
    internal static int StrCaseCmp(string a, string b)
    {
        var n = Math.Min(a.Length, b.Length);
        for (var i = 0; i < n; i++)
        {
            var ca = char.ToLowerInvariant(a[i]);
            var cb = char.ToLowerInvariant(b[i]);
            if (ca != cb)
            {
                return ca < cb ? -1 : 1;
            }
        }

        return a.Length.CompareTo(b.Length);
    }

    /// <summary><c>strtoll</c>: optional whitespace and sign, then at least one digit; trailing text ignored.</summary>
    internal static bool TryScanLong(string text, out long value)
    {
        value = 0;
        var s = text.AsSpan().TrimStart();
        var i = 0;
        if (i < s.Length && (s[i] == '+' || s[i] == '-'))
        {
            i++;
        }

        var start = i;
        while (i < s.Length && char.IsAsciiDigit(s[i]))
        {
            i++;
        }

        if (i == start)
        {
            return false;
        }

        if (!long.TryParse(s[..i], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value))
        {
            // strtoll saturates on overflow.
            value = s[0] == '-' ? long.MinValue : long.MaxValue;
        }

        return true;
    }

    /// <summary><c>strtod</c> on the longest numeric prefix; trailing text ignored.</summary>
    internal static bool TryScanDouble(string text, out double value)
    {
        value = 0;
        var s = text.AsSpan().TrimStart();
        for (var len = s.Length; len > 0; len--)
        {
            if (double.TryParse(s[..len], NumberStyles.Float, CultureInfo.InvariantCulture, out value))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Pacemaker's <c>compare_version</c>: dot-separated integers, missing components count as 0.</summary>
    internal static int CompareVersion(string a, string b)
    {
        var pa = a.Split('.');
        var pb = b.Split('.');
        for (var i = 0; i < Math.Max(pa.Length, pb.Length); i++)
        {
            var x = i < pa.Length && TryScanLong(pa[i], out var vx) ? vx : 0;
            var y = i < pb.Length && TryScanLong(pb[i], out var vy) ? vy : 0;
            if (x != y)
            {
                return x < y ? -1 : 1;
            }
        }

        return 0;
    }

    private static bool EvaluateResource(ResourceExpression e, RuleContext context)
    {
        if (context.ResourceClass is null && context.ResourceType is null)
        {
            return false;
        }

        if (e.Class is not null && e.Class != context.ResourceClass)
        {
            return false;
        }

        // An absent provider matches only resources without one (Pacemaker compares both ways).
        if (e.Provider != context.ResourceProvider)
        {
            return false;
        }

        return e.Type is null || e.Type == context.ResourceType;
    }

    private static bool EvaluateOperation(OperationExpression e, RuleContext context)
    {
        if (context.OperationName is null)
        {
            return false;
        }

        if (e.Interval is { } interval &&
            (long)interval.TotalMilliseconds != (long)(context.OperationInterval ?? TimeSpan.Zero).TotalMilliseconds)
        {
            return false;
        }

        return e.Name == context.OperationName;
    }
}
