using System.Collections.Immutable;
using ClusterManager.Model.Configuration;
using ClusterManager.Policy.Rules;

namespace ClusterManager.Policy.Tests.Rules;

public sealed class RuleEvaluatorTests
{
    private static readonly DateTimeOffset Now = new(2024, 3, 14, 10, 30, 15, TimeSpan.Zero); // a Thursday

    private static Rule RuleOf(RuleBooleanOp op, params RuleExpression[] expressions) =>
        new("r", null, null, op, null, [.. expressions]);

    private static RuleContext Context(params (string Name, string Value)[] attributes) =>
        new(attributes.ToDictionary(a => a.Name, a => a.Value), Now);

    private static AttributeExpression Attr(string attribute, string op, string? value = null, string? type = null, string? source = null) =>
        new("e", attribute, op, value, type, source);

    private static bool Eval(RuleExpression expression, RuleContext context) =>
        RuleEvaluator.Evaluate(RuleOf(RuleBooleanOp.And, expression), context);

    [TestCase(RuleBooleanOp.And, true)]
    [TestCase(RuleBooleanOp.Or, false)]
    public void Evaluate_GivesPacemakersDefault_ForAnEmptyRule(RuleBooleanOp op, bool expected)
    {
        Assert.That(RuleEvaluator.Evaluate(RuleOf(op), Context()), Is.EqualTo(expected));
    }

    [TestCase(RuleBooleanOp.And, "a", "a", true)]
    [TestCase(RuleBooleanOp.And, "a", "b", false)]
    [TestCase(RuleBooleanOp.Or, "a", "b", true)]
    [TestCase(RuleBooleanOp.Or, "b", "b", false)]
    public void Evaluate_CombinesExpressions_WithBooleanOp(RuleBooleanOp op, string first, string second, bool expected)
    {
        var rule = RuleOf(op, Attr("site", "eq", first), Attr("#uname", "eq", second == "a" ? "node1" : "node2"));

        Assert.That(RuleEvaluator.Evaluate(rule, Context(("site", "a"), ("#uname", "node1"))), Is.EqualTo(expected));
    }

    [TestCase("eq", "node1", null, true)]
    [TestCase("eq", "NODE1", null, true)]
    [TestCase("ne", "node1", null, false)]
    [TestCase("ne", "node2", null, true)]
    [TestCase("lt", "node2", "string", true)]
    [TestCase("gt", "node0", "string", true)]
    [TestCase("lte", "node1", "string", true)]
    [TestCase("gte", "node10", "string", false)]
    [TestCase("defined", null, null, true)]
    [TestCase("not_defined", null, null, false)]
    [TestCase("EQ", "node1", "STRING", true)]
    public void Evaluate_ComparesStringsCaseInsensitively(string op, string? value, string? type, bool expected)
    {
        Assert.That(Eval(Attr("#uname", op, value, type), Context(("#uname", "node1"))), Is.EqualTo(expected));
    }

    [TestCase("a_b", "lt", "aa", true)] // strcasecmp lower-cases: '_' (0x5f) < 'a' (0x61)
    [TestCase("A_B", "lt", "AA", true)]
    public void Evaluate_OrdersStringsLikeStrcasecmp(string left, string op, string right, bool expected)
    {
        Assert.That(Eval(Attr("x", op, right, "string"), Context(("x", left))), Is.EqualTo(expected));
    }

    [TestCase("10", "gt", "9", null, true)] // integer by default for lt/gt/lte/gte: 10 > 9
    [TestCase("10", "gt", "9", "string", false)]
    [TestCase("10", "lt", "9.5", null, false)] // a '.' makes it number
    [TestCase("9.25", "lt", "9.5", null, true)]
    [TestCase("9.25", "lt", "9.5", "integer", false)] // integer part only: 9 vs 9
    [TestCase("9.25", "lte", "9.5", "integer", true)]
    [TestCase("12abc", "eq", "12", "integer", true)] // strtoll ignores trailing text
    [TestCase("abc", "gt", "12", "integer", true)] // unparsable: string comparison
    [TestCase("1e3", "gt", "999", "number", true)]
    [TestCase("-5", "lt", "3", null, true)]
    [TestCase("10", "eq", "10.0", "number", true)]
    [TestCase("10", "eq", "10.0", null, false)] // eq defaults to string
    public void Evaluate_ComparesNumbers_ByTypeOrDefault(string left, string op, string right, string? type, bool expected)
    {
        Assert.That(Eval(Attr("x", op, right, type), Context(("x", left))), Is.EqualTo(expected));
    }

    [TestCase("2.1.5", "gt", "2.1.10", false)]
    [TestCase("2.1.10", "gt", "2.1.5", true)]
    [TestCase("2.1", "eq", "2.1.0", true)]
    [TestCase("3.0", "gte", "2.99.99", true)]
    [TestCase("1.0.9", "lt", "1.1", true)]
    public void Evaluate_ComparesVersions(string left, string op, string right, bool expected)
    {
        Assert.That(Eval(Attr("v", op, right, "version"), Context(("v", left))), Is.EqualTo(expected));
    }

    [TestCase("eq", false)]
    [TestCase("ne", true)]
    [TestCase("lt", false)]
    [TestCase("gt", false)]
    [TestCase("defined", false)]
    [TestCase("not_defined", true)]
    public void Evaluate_HandlesMissingAttribute_AsPacemaker(string op, bool expected)
    {
        Assert.That(Eval(Attr("missing", op, "1"), Context()), Is.EqualTo(expected));
    }

    [Test]
    public void Evaluate_TreatsEqWithoutValue_AsNotDefined()
    {
        Assert.That((Eval(Attr("x", "eq"), Context()), Eval(Attr("x", "eq"), Context(("x", "1")))), Is.EqualTo((true, false)));
    }

    [TestCase("param", "8080", true)]
    [TestCase("meta", "100", true)]
    [TestCase("literal", "port", false)]
    public void Evaluate_TakesTheValueFromParamsOrMeta(string source, string attribute, bool expected)
    {
        var context = Context(("port-ok", "8080"), ("stick", "100")) with
        {
            ResourceParameters = new Dictionary<string, string> { ["port"] = "8080" },
            ResourceMeta = new Dictionary<string, string> { ["resource-stickiness"] = "100" },
        };
        var expression = source == "meta"
            ? Attr("stick", "eq", "resource-stickiness", null, source)
            : Attr("port-ok", "eq", "port", null, source);

        Assert.That(Eval(expression, context), Is.EqualTo(expected));
    }

    [TestCase("param", "nosuch")]
    [TestCase("meta", "port")]
    public void Evaluate_HasNoValue_WhenTheSourceLacksTheName(string source, string name)
    {
        var context = Context(("x", "8080")) with { ResourceParameters = new Dictionary<string, string> { ["port"] = "8080" } };

        // No value: eq is false against a defined attribute, ne is true.
        Assert.That(
            (Eval(Attr("x", "eq", name, null, source), context), Eval(Attr("x", "ne", name, null, source), context)),
            Is.EqualTo((false, true)));
    }

    [Test]
    public void Evaluate_FallsBackToTheLiteral_WithoutResourceData()
    {
        Assert.That(Eval(Attr("x", "eq", "port", null, "param"), Context(("x", "port"))), Is.True);
    }

    [Test]
    public void Evaluate_IsFalse_ForRoleExpressions()
    {
        Assert.That(Eval(Attr("#role", "eq", "Promoted"), Context(("#role", "Promoted"))), Is.False);
    }

    [Test]
    public void Evaluate_EvaluatesNestedRules()
    {
        var inner = RuleOf(RuleBooleanOp.Or, Attr("a", "eq", "1"), Attr("b", "eq", "1"));
        var outer = RuleOf(RuleBooleanOp.And, Attr("c", "defined"), new NestedRuleExpression(inner));

        Assert.That(
            (RuleEvaluator.Evaluate(outer, Context(("c", "x"), ("b", "1"))), RuleEvaluator.Evaluate(outer, Context(("c", "x")))),
            Is.EqualTo((true, false)));
    }

    [TestCase("ocf", "heartbeat", "apache", true)]
    [TestCase("ocf", null, null, false)] // absent provider matches only resources without one
    [TestCase(null, "heartbeat", null, true)]
    [TestCase("lsb", "heartbeat", null, false)]
    [TestCase("ocf", "heartbeat", "nginx", false)]
    public void Evaluate_MatchesResourceExpressions(string? cls, string? provider, string? type, bool expected)
    {
        var context = Context() with { ResourceClass = "ocf", ResourceProvider = "heartbeat", ResourceType = "apache" };

        Assert.That(Eval(new ResourceExpression("e", cls, provider, type), context), Is.EqualTo(expected));
    }

    [Test]
    public void Evaluate_IsFalse_ForResourceExpressionWithoutResourceData()
    {
        Assert.That(Eval(new ResourceExpression("e", null, null, null), Context()), Is.False);
    }

    [TestCase("monitor", 10, true)]
    [TestCase("monitor", 20, false)]
    [TestCase("monitor", null, true)]
    [TestCase("start", null, false)]
    public void Evaluate_MatchesOperationExpressions(string name, int? intervalSeconds, bool expected)
    {
        var context = Context() with { OperationName = "monitor", OperationInterval = TimeSpan.FromSeconds(10) };
        var expression = new OperationExpression("e", name, intervalSeconds is { } s ? TimeSpan.FromSeconds(s) : null);

        Assert.That(Eval(expression, context), Is.EqualTo(expected));
    }

    [Test]
    public void Evaluate_IsFalse_ForOperationExpressionWithoutOperation()
    {
        Assert.That(Eval(new OperationExpression("e", "monitor", null), Context()), Is.False);
    }

    private static DateExpression Date(string op, string? start = null, string? end = null, ImmutableSortedDictionary<string, string>? spec = null, ImmutableSortedDictionary<string, string>? duration = null) =>
        new("d", op, start, end, spec, duration);

    private static ImmutableSortedDictionary<string, string> Fields(params (string Name, string Value)[] fields) =>
        fields.ToImmutableSortedDictionary(f => f.Name, f => f.Value, StringComparer.Ordinal);

    [TestCase("in_range", "2024-03-01", "2024-04-01", true)]
    [TestCase("in_range", "2024-03-15", "2024-04-01", false)]
    [TestCase("in_range", "2024-01-01", "2024-03-14", false)]
    [TestCase("in_range", "2024-01-01", "2024-03-14T10:30:15Z", true)] // end inclusive
    [TestCase("in_range", null, "2024-12-31", true)]
    [TestCase("in_range", "2024-03-14T10:30:16Z", null, false)]
    [TestCase("in_range", null, null, false)]
    [TestCase("gt", "2024-03-14T10:30:14Z", null, true)]
    [TestCase("gt", "2024-03-14T10:30:15Z", null, false)]
    [TestCase("gt", null, null, false)]
    [TestCase("lt", null, "2024-03-14T10:30:16Z", true)]
    [TestCase("lt", null, "2024-03-14T10:30:15Z", false)]
    [TestCase("gt", "2024-03-14T11:00:00+01:00", null, true)] // 10:00 UTC
    [TestCase("gt", "2024-03-14T10:00:00-01:00", null, false)] // 11:00 UTC
    [TestCase("gt", "2024-074", null, true)] // ordinal: 14 March is day 74
    [TestCase("gt", "2024-075", null, false)]
    [TestCase("gt", "2024-W11-4", null, true)] // week date: Thursday of week 11 = 14 March
    [TestCase("gt", "2024-W11-5", null, false)]
    [TestCase("gt", "not a date", null, false)]
    public void Evaluate_ComparesDateExpressions(string op, string? start, string? end, bool expected)
    {
        Assert.That(Eval(Date(op, start, end), Context()), Is.EqualTo(expected));
    }

    [TestCase("2024-03-01", "months", "1", true)] // ends 2024-04-01
    [TestCase("2024-02-14", "months", "1", false)] // ends 2024-03-14T00:00
    [TestCase("2024-03-14T10:00:00Z", "minutes", "31", true)]
    [TestCase("2024-03-14T10:00:00Z", "minutes", "30", false)]
    [TestCase("2024-03-08", "weeks", "1", true)]
    [TestCase("2024-03-07", "weeks", "1", false)]
    [TestCase("2023-03-15", "years", "1", true)]
    [TestCase("2024-03-14T10:30:00Z", "seconds", "15", true)] // end inclusive
    [TestCase("2024-03-14T10:30:00Z", "seconds", "14", false)]
    [TestCase("2024-03-14", "days", "0", false)] // a zero field adds nothing
    public void Evaluate_TakesTheEndFromADuration(string start, string field, string value, bool expected)
    {
        Assert.That(Eval(Date("in_range", start, null, null, Fields(("id", "dur"), (field, value))), Context()), Is.EqualTo(expected));
    }

    [Test]
    public void Evaluate_UsesTheDuration_WhenTheEndDoesNotParse()
    {
        var duration = Fields(("id", "dur"), ("days", "1"));

        Assert.That(Eval(Date("in_range", "2024-03-14", "garbage", null, duration), Context()), Is.True);
    }

    [TestCase("hours", "9-16", true)]
    [TestCase("hours", "10-10", true)]
    [TestCase("hours", "10", true)]
    [TestCase("hours", "11-", false)]
    [TestCase("hours", "-10", true)]
    [TestCase("minutes", "30", true)]
    [TestCase("seconds", "0-14", false)]
    [TestCase("weekdays", "1-5", true)] // Thursday = 4
    [TestCase("weekdays", "6-7", false)]
    [TestCase("monthdays", "14", true)]
    [TestCase("months", "3", true)]
    [TestCase("years", "2023", false)]
    [TestCase("yeardays", "74", true)]
    [TestCase("weeks", "11", true)]
    [TestCase("weekyears", "2024", true)]
    [TestCase("moon", "0-7", true)]
    [TestCase("hours", "garbage", true)] // unparsable fields are ignored
    public void Evaluate_MatchesDateSpecFields(string field, string value, bool expected)
    {
        Assert.That(Eval(Date("date_spec", spec: Fields(("id", "s"), (field, value))), Context()), Is.EqualTo(expected));
    }

    [Test]
    public void Evaluate_RequiresAllDateSpecFields()
    {
        var spec = Fields(("hours", "9-17"), ("weekdays", "6-7"));

        Assert.That(Eval(Date("date_spec", spec: spec), Context()), Is.False);
    }

    [Test]
    public void Evaluate_UsesIsoWeekYear_AtYearBoundaries()
    {
        // 2021-01-01 is a Friday in ISO week 53 of 2020.
        var context = Context() with { Now = new DateTimeOffset(2021, 1, 1, 12, 0, 0, TimeSpan.Zero) };
        var spec = Fields(("weekyears", "2020"), ("weeks", "53"), ("weekdays", "5"));

        Assert.That(Eval(Date("date_spec", spec: spec), context), Is.True);
    }
}
