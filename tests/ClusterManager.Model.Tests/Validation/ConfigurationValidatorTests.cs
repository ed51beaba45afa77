using System.Collections.Immutable;
using ClusterManager.Model.Configuration;
using ClusterManager.Model.Validation;

namespace ClusterManager.Model.Tests.Validation;

public sealed class ConfigurationValidatorTests
{
    private static PrimitiveConfig Primitive(string id, params OperationConfig[] ops) =>
        new(new ResourceId(id), "ocf", "heartbeat", "Dummy", [], [], [], [.. ops]);

    private static OperationConfig Op(string id, string? onFail = null) =>
        new(id, "monitor", TimeSpan.FromSeconds(10), null, null, onFail, true, [], [], ImmutableSortedDictionary<string, string>.Empty);

    private static NodeConfig Node(string id, string name) => new(id, new NodeName(name), NodeType.Member, null, [], []);

    private static ClusterConfiguration Config(
        ImmutableArray<ResourceConfig> resources = default,
        ImmutableArray<Constraint> constraints = default,
        ImmutableArray<NvSet> properties = default,
        ImmutableArray<NodeConfig> nodes = default) =>
        ClusterConfiguration.Empty with
        {
            Resources = resources.IsDefault ? [] : resources,
            Constraints = constraints.IsDefault ? [] : constraints,
            Properties = properties.IsDefault ? [] : properties,
            Nodes = nodes.IsDefault ? [Node("1", "node1")] : nodes,
        };

    private static ColocationConstraint Colocation(string id, string rsc, string with) =>
        new(id, new ResourceId(rsc), new ResourceId(with), Score.Infinity, null, null, null, null, []);

    [Test]
    public void Validate_ReturnsNothing_ForAValidConfiguration()
    {
        var config = Config(
            resources: [Primitive("a", Op("a-mon", "restart")), Primitive("b")],
            constraints: [Colocation("c1", "a", "b")],
            properties: [NvSet.Of("cib-bootstrap-options", ("stonith-enabled", "false"), ("no-quorum-policy", "ignore"))]);

        Assert.That(ConfigurationValidator.Validate(config), Is.Empty);
    }

    [Test]
    public void Validate_ReportsError_ForDuplicateIds()
    {
        var config = Config(resources: [Primitive("a"), Primitive("b")], constraints: [Colocation("a", "a", "b")]);

        var issues = ConfigurationValidator.Validate(config);

        Assert.That(issues.Select(i => (i.Severity, i.ElementPath)), Is.EqualTo(new[]
        {
            (IssueSeverity.Error, "/cib/configuration/constraints/rsc_colocation[@id='a']"),
        }));
        Assert.That(issues[0].Message, Does.Contain("'a'").And.Contain("primitive[@id='a']"));
    }

    [Test]
    public void Validate_AcceptsTheSameSetTwice_WhenItIsOneInstance()
    {
        var shared = NvSet.Of("shared-meta", ("target-role", "Started"));
        var a = Primitive("a") with { Meta = [shared] };
        var b = Primitive("b") with { Meta = [shared] };

        Assert.That(ConfigurationValidator.Validate(Config(resources: [a, b])), Is.Empty);
    }

    [Test]
    public void Validate_ReportsError_ForTwoDistinctSetsWithOneId()
    {
        var a = Primitive("a") with { Meta = [NvSet.Of("meta", ("target-role", "Started"))] };
        var b = Primitive("b") with { Meta = [NvSet.Of("meta", ("target-role", "Stopped"))] };

        var issues = ConfigurationValidator.Validate(Config(resources: [a, b]));

        Assert.That(issues.Select(i => i.Severity), Is.EqualTo(new[] { IssueSeverity.Error, IssueSeverity.Error }));
    }

    [Test]
    public void Validate_ReportsError_ForADateSpecIdUsedElsewhere()
    {
        var spec = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, string> { ["id"] = "a", ["hours"] = "9-17" });
        var rule = new Rule("r1", Score.Zero, null, RuleBooleanOp.And, null, [new DateExpression("d1", "date_spec", null, null, spec, null)]);
        var location = new LocationConstraint("l1", new ResourceId("a"), null, [], null, null, null, [rule], ResourceDiscovery.Always);

        var issue = ConfigurationValidator.Validate(Config(resources: [Primitive("a")], constraints: [location])).Single();

        Assert.That(issue.ElementPath, Is.EqualTo("/cib/configuration/constraints/rsc_location[@id='l1']/rule[@id='r1']/expression[@id='d1']/date_spec[@id='a']"));
    }

    [Test]
    public void Validate_ReportsError_ForConstraintOnMissingResource()
    {
        var config = Config(resources: [Primitive("a")], constraints: [Colocation("c1", "a", "ghost")]);

        var issue = ConfigurationValidator.Validate(config).Single();

        Assert.That(
            (issue.Severity, issue.Message),
            Is.EqualTo((IssueSeverity.Error, "rsc_colocation 'c1': with-rsc 'ghost' names no resource")));
    }

    [Test]
    public void Validate_ReportsError_ForMissingSetMember()
    {
        var set = new ResourceSet("s1", [new ResourceId("a"), new ResourceId("ghost")], null, null, null, null, null, null, null);
        var order = new OrderConstraint("o1", null, null, null, null, OrderKind.Mandatory, null, null, [set]);

        var issue = ConfigurationValidator.Validate(Config(resources: [Primitive("a")], constraints: [order])).Single();

        Assert.That(issue.Message, Is.EqualTo("rsc_order 'o1': resource_set 's1' member 'ghost' names no resource"));
    }

    [Test]
    public void Validate_ReportsWarning_ForLocationOnUnknownNode()
    {
        var location = new LocationConstraint("l1", new ResourceId("a"), null, [], null, new NodeName("node9"), Score.Infinity, [], ResourceDiscovery.Always);

        var issue = ConfigurationValidator.Validate(Config(resources: [Primitive("a")], constraints: [location])).Single();

        Assert.That((issue.Severity, issue.Message), Is.EqualTo((IssueSeverity.Warning, "rsc_location 'l1': node 'node9' is not a configured node (Pacemaker ignores the constraint)")));
    }

    [TestCase("stonith-enabled", "maybe", IssueSeverity.Error)]
    [TestCase("fencing-enabled", "maybe", IssueSeverity.Error)]
    [TestCase("no-quorum-policy", "panic", IssueSeverity.Error)]
    [TestCase("symmetric-cluster", "sometimes", IssueSeverity.Error)]
    [TestCase("placement-strategy", "random", IssueSeverity.Error)]
    [TestCase("cluster-recheck-interval", "soon", IssueSeverity.Error)]
    [TestCase("batch-limit", "many", IssueSeverity.Error)]
    [TestCase("no-such-option", "1", IssueSeverity.Warning)]
    [TestCase("no_quorum-policy", "stop", IssueSeverity.Warning)]
    public void Validate_ReportsProblem_ForBadClusterProperty(string name, string value, IssueSeverity severity)
    {
        var config = Config(properties: [NvSet.Of("cib-bootstrap-options", (name, value))]);

        var issue = ConfigurationValidator.Validate(config).Single();

        Assert.That((issue.Severity, issue.Message.Contains($"'{name}'", StringComparison.Ordinal)), Is.EqualTo((severity, true)));
    }

    [TestCase("stonith-enabled", "FALSE")]
    [TestCase("fencing-enabled", "no")]
    [TestCase("no-quorum-policy", "suicide")]
    [TestCase("no-quorum-policy", "Freeze")]
    [TestCase("stonith-action", "poweroff")]
    [TestCase("cluster-recheck-interval", "15min")]
    [TestCase("node-health-red", "-INFINITY")]
    [TestCase("dc-version", "2.1.5-a3f44794f94")]
    public void Validate_AcceptsKnownClusterProperty_WithValidValue(string name, string value)
    {
        var config = Config(properties: [NvSet.Of("cib-bootstrap-options", (name, value))]);

        Assert.That(ConfigurationValidator.Validate(config), Is.Empty);
    }

    [TestCase("clone-max", "-1")]
    [TestCase("clone-max", "1031448768")]
    [TestCase("clone-node-max", "two")]
    [TestCase("promoted-max", "-3")]
    public void Validate_ReportsError_ForBadCloneCount(string name, string value)
    {
        var clone = new CloneConfig(new ResourceId("c"), [NvSet.Of("c-meta", (name, value))], Primitive("a"), false);

        var issue = ConfigurationValidator.Validate(Config(resources: [clone])).Single();

        Assert.That((issue.Severity, issue.ElementPath), Is.EqualTo((IssueSeverity.Error, "/cib/configuration/resources/clone[@id='c']")));
    }

    [TestCase("explode", 1)]
    [TestCase("restart", 0)]
    [TestCase("Fence", 0)]
    [TestCase("migrate", 0)]
    public void Validate_ChecksOnFail_OfOperations(string onFail, int expectedIssues)
    {
        var config = Config(resources: [Primitive("a", Op("a-mon", onFail))]);

        Assert.That(ConfigurationValidator.Validate(config), Has.Length.EqualTo(expectedIssues));
    }

    [Test]
    public void Validate_ReportsError_ForTwoNodesWithOneName()
    {
        var config = Config(nodes: [Node("1", "node1"), Node("2", "node1")]);

        var issue = ConfigurationValidator.Validate(config).Single();

        Assert.That(issue.Message, Does.Contain("same uname 'node1'"));
    }
}
