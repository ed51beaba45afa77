using System.Collections.Immutable;
using ClusterManager.Model.Configuration;
using ClusterManager.Policy.Rules;

namespace ClusterManager.Policy.Tests.Rules;

public sealed class NvSetResolverTests
{
    private static readonly RuleContext Context = new(new Dictionary<string, string> { ["site"] = "a" }, DateTimeOffset.UnixEpoch);

    private static NvSet Set(string id, int score, params (string Name, string? Value)[] pairs) =>
        new(id, score, null, [.. pairs.Select(p => new NvPair($"{id}-{p.Name}", p.Name, p.Value))]);

    private static Rule SiteIs(string site) =>
        new("rule-" + site, null, null, RuleBooleanOp.And, null, [new AttributeExpression("e-" + site, "site", "eq", site, null, null)]);

    [Test]
    public void Resolve_PrefersTheHigherScore_WhateverTheOrder()
    {
        var result = NvSetResolver.Resolve([Set("low", 1, ("x", "low")), Set("high", 10, ("x", "high"))], Context);

        Assert.That(result["x"], Is.EqualTo("high"));
    }

    [Test]
    public void Resolve_PrefersTheLaterSet_OnEqualScores()
    {
        // Pacemaker prepends each set, then stable-sorts by score (confirmed with crm_simulate 2.1.5).
        var result = NvSetResolver.Resolve([Set("first", 0, ("x", "first")), Set("second", 0, ("x", "second"))], Context);

        Assert.That(result["x"], Is.EqualTo("second"));
    }

    [Test]
    public void Resolve_MergesNames_FromAllSets()
    {
        var result = NvSetResolver.Resolve([Set("a", 5, ("x", "1")), Set("b", 1, ("y", "2"), ("x", "3"))], Context);

        Assert.That(result, Is.EqualTo(ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, string> { ["x"] = "1", ["y"] = "2" })));
    }

    [Test]
    public void Resolve_SkipsSets_WhoseRuleDoesNotHold()
    {
        var sets = new[]
        {
            Set("b-site", 100, ("x", "b")) with { Rule = SiteIs("b") },
            Set("a-site", 50, ("x", "a")) with { Rule = SiteIs("a") },
            Set("plain", 0, ("x", "plain")),
        };

        Assert.That(NvSetResolver.Resolve(sets, Context)["x"], Is.EqualTo("a"));
    }

    [Test]
    public void Resolve_SkipsPairsWithoutValue_AndDefaultRemovesEarlierValue()
    {
        var sets = new[]
        {
            Set("a", 10, ("x", null), ("y", "1")),
            Set("b", 5, ("x", "from-b"), ("y", "#default")),
            Set("c", 1, ("y", "from-c")),
        };

        var result = NvSetResolver.Resolve(sets, Context);

        Assert.That((result["x"], result["y"]), Is.EqualTo(("from-b", "from-c")));
    }

    [Test]
    public void Resolve_TakesTheAlwaysFirstSet_BeforeHigherScores()
    {
        var sets = new[] { Set("other", 100, ("x", "other")), Set("cib-bootstrap-options", 0, ("x", "bootstrap")) };

        Assert.That(NvSetResolver.Resolve(sets, Context, "cib-bootstrap-options")["x"], Is.EqualTo("bootstrap"));
    }

    [Test]
    public void Resolve_ReturnsEmpty_ForNoSets()
    {
        Assert.That(NvSetResolver.Resolve([], Context), Is.Empty);
    }
}
