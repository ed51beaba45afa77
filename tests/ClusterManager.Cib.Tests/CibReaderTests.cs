using ClusterManager.Model;
using ClusterManager.Model.Configuration;
using ClusterManager.Model.Status;

namespace ClusterManager.Cib.Tests;

/// <summary>Each attribute the reader understands, on a fixture that uses all of them (Fixtures/full.xml).</summary>
public sealed class CibReaderTests
{
    private static readonly Lazy<CibDocument> Full = new(() =>
        CibReader.Load(Path.Combine(TestContext.CurrentContext.TestDirectory, "Fixtures", "full.xml"), Corpus.DefaultNow));

    private static ClusterSnapshot Snapshot => Full.Value.Snapshot;

    private static ClusterConfiguration Config => Snapshot.Configuration;

    private static T Resource<T>(string id)
        where T : ResourceConfig =>
        (T)Config.Resources.Single(r => r.Id.Value == id);

    private static T Constraint<T>(string id)
        where T : Constraint =>
        (T)Config.Constraints.Single(c => c.Id == id);

    [Test]
    public void Parse_ReadsCibAttributes_IntoStatusAndSnapshot()
    {
        var status = Snapshot.Status;

        Assert.That(
            (Snapshot.Version, Snapshot.Now, status.HaveQuorum, status.DesignatedController, status.FeatureSet, status.NoQuorumPanic),
            Is.EqualTo((42L, DateTimeOffset.FromUnixTimeSeconds(1700000000), true, (NodeName?)new NodeName("node2"), "3.16.2", true)));
    }

    [TestCase("true", true)]
    [TestCase("1", true)]
    [TestCase("false", false)]
    [TestCase("0", false)]
    [TestCase(null, false)]
    public void Parse_ReadsHaveQuorum_AbsentMeaningNoQuorum(string? value, bool expected)
    {
        var attr = value is null ? "" : $" have-quorum=\"{value}\"";
        var doc = CibReader.Parse($"<cib epoch=\"1\"{attr}><configuration/><status/></cib>", Corpus.DefaultNow);

        Assert.That(doc.Snapshot.Status.HaveQuorum, Is.EqualTo(expected));
    }

    [Test]
    public void Parse_UsesDefaultNow_WithoutExecutionDate()
    {
        var doc = CibReader.Parse("<cib><configuration/></cib>", Corpus.DefaultNow);

        Assert.That((doc.Snapshot.Now, doc.Snapshot.Version), Is.EqualTo((Corpus.DefaultNow, 0L)));
    }

    [Test]
    public void Parse_ReadsPropertySets_WithScoreRuleAndValuelessPair()
    {
        var night = Config.Properties[1];
        var spec = ((DateExpression)night.Rule!.Expressions[0]).DateSpec!;

        Assert.That(Config.Properties.Select(s => s.Id), Is.EqualTo(new[] { "cib-bootstrap-options", "night-options" }));
        Assert.That(Config.Properties[0].Pairs[2], Is.EqualTo(new NvPair("opt-unset", "cluster-name", null)));
        Assert.That((night.Score, night.Rule.BooleanOp, spec["hours"], spec["weekdays"], spec["id"]), Is.EqualTo((100, RuleBooleanOp.Or, "0-6", "1-5", "night-spec")));
    }

    [Test]
    public void Parse_ReadsNodes_WithTypeScoreAttributesAndUtilization()
    {
        var node1 = Config.Nodes[0];

        Assert.That(Config.Nodes.Select(n => (n.Id, n.Name.Value, n.Type)), Is.EqualTo(new[]
        {
            ("101", "node1", NodeType.Member), ("102", "node2", NodeType.Member), ("103", "pinger", NodeType.Ping),
        }));
        Assert.That(
            (node1.Score, node1.Attributes.Single().Pairs.Single().Value, node1.Utilization.Single().Pairs.Single().Name),
            Is.EqualTo(((Score?)new Score(10), "a", "cpu")));
    }

    [Test]
    public void Parse_KeepsResourceDocumentOrder_AndSkipsBundlesAndTemplates()
    {
        Assert.That(
            Config.Resources.Select(r => (r.Id.Value, r.GetType().Name)),
            Is.EqualTo(new[]
            {
                ("from-template", nameof(PrimitiveConfig)), ("fence1", nameof(PrimitiveConfig)), ("web", nameof(PrimitiveConfig)),
                ("grp", nameof(GroupConfig)), ("base-clone", nameof(CloneConfig)), ("ms", nameof(CloneConfig)),
            }));
    }

    [Test]
    public void Parse_WarnsNamingTheElement_ForEachUnsupportedFeature()
    {
        var warnings = Full.Value.Warnings;

        Assert.That(warnings, Has.Some.StartsWith("bundle 'bnd': bundles are not supported"));
        Assert.That(warnings, Has.Some.StartsWith("template 'tmpl':"));
        Assert.That(warnings, Has.Some.StartsWith("primitive 'from-template': template references are not supported"));
        Assert.That(warnings, Has.Some.StartsWith("tags: resource tags are not supported"));
        Assert.That(warnings, Has.Some.StartsWith("acls:"));
    }

    [Test]
    public void Parse_TakesTheAgentFromTheTemplate_ForTemplateReferences()
    {
        var p = Resource<PrimitiveConfig>("from-template");

        Assert.That(p.Agent, Is.EqualTo("ocf:heartbeat:IPaddr2"));
    }

    [Test]
    public void Parse_ReadsPrimitive_WithAllAttributeSets()
    {
        var web = Resource<PrimitiveConfig>("web");

        Assert.That(web.Agent, Is.EqualTo("ocf:heartbeat:apache"));
        Assert.That(web.InstanceAttributes.Select(s => (s.Id, s.Score, s.Rule?.Id)), Is.EqualTo(new[] { ("web-params-a", 2, (string?)"web-params-a-rule"), ("web-params", 0, null) }));
        Assert.That(web.Meta.Single().Pairs.Single().Name, Is.EqualTo("resource-stickiness"));
        Assert.That(web.Utilization.Single().Pairs.Single().Value, Is.EqualTo("2"));
        Assert.That(Resource<PrimitiveConfig>("fence1").IsFencingDevice, Is.True);
    }

    [Test]
    public void Parse_ReadsOperations_WithRolesIntervalsAndExtras()
    {
        var ops = Resource<PrimitiveConfig>("web").Operations;
        var start = ops[0];
        var monitor = ops[1];
        var slave = ops[2];

        Assert.That((start.Name, start.Interval, start.Timeout, start.OnFail, start.Enabled), Is.EqualTo(("start", TimeSpan.Zero, (TimeSpan?)TimeSpan.FromSeconds(60), "restart", true)));
        Assert.That((monitor.Interval, monitor.Timeout, monitor.Role), Is.EqualTo((TimeSpan.FromSeconds(10), (TimeSpan?)TimeSpan.FromSeconds(20), (ResourceRole?)ResourceRole.Promoted)));
        Assert.That(monitor.Extra, Is.EquivalentTo(new Dictionary<string, string> { ["start-delay"] = "5s", ["record-pending"] = "true" }));
        Assert.That((slave.Role, slave.Enabled, slave.Meta.Single().Id, slave.InstanceAttributes.Single().Id), Is.EqualTo(((ResourceRole?)ResourceRole.Unpromoted, false, "web-monitor-slave-meta", "web-monitor-slave-params")));
    }

    [Test]
    public void Parse_ResolvesNvSetIdRef_ToTheSameInstance()
    {
        var ip = Resource<GroupConfig>("grp").Members[0];

        Assert.That(ip.Meta.Single(), Is.SameAs(Resource<PrimitiveConfig>("web").Meta.Single()));
    }

    [Test]
    public void Parse_GivesGroupParameters_ToEachMember_BeforeItsOwn()
    {
        var grp = Resource<GroupConfig>("grp");
        var db = grp.Members[1];

        Assert.That(grp.Members.Select(m => m.InstanceAttributes[0]), Is.All.SameAs(db.InstanceAttributes[0]));
        Assert.That(db.InstanceAttributes.Select(s => s.Id), Is.EqualTo(new[] { "grp-params" }));
        Assert.That(Full.Value.Warnings, Has.One.StartsWith("group 'grp': instance_attributes 'grp-params' on a group are applied to each primitive inside it"));
    }

    [Test]
    public void Parse_ReadsGroupsAndClones_IncludingLegacyMaster()
    {
        var grp = Resource<GroupConfig>("grp");
        var clone = Resource<CloneConfig>("base-clone");
        var ms = Resource<CloneConfig>("ms");

        Assert.That(grp.Members.Select(m => m.Id.Value), Is.EqualTo(new[] { "ip", "db" }));
        Assert.That((clone.IsLegacyMaster, clone.Child.Id.Value, clone.Meta.Single().Pairs[1].Name), Is.EqualTo((false, "base", "promotable")));
        Assert.That((ms.IsLegacyMaster, ms.Child is GroupConfig), Is.EqualTo((true, true)));
    }

    [Test]
    public void Parse_KeepsConstraintDocumentOrder()
    {
        Assert.That(Config.Constraints.Select(c => c.Id), Is.EqualTo(new[]
        {
            "loc-node", "loc-pattern", "loc-rule", "loc-set", "col", "col-roles", "col-sets",
            "ord", "ord-actions", "ord-score0", "ord-score", "ord-sets", "tkt",
        }));
    }

    [Test]
    public void Parse_ReadsLocation_WithNodeScoreRoleAndDiscovery()
    {
        var l = Constraint<LocationConstraint>("loc-node");
        var p = Constraint<LocationConstraint>("loc-pattern");

        Assert.That((l.Resource?.Value, l.Node?.Value, l.Score, l.Role, l.Discovery), Is.EqualTo(("web", "node1", (Score?)Score.Infinity, (ResourceRole?)ResourceRole.Promoted, ResourceDiscovery.Exclusive)));
        Assert.That((p.Resource, p.ResourcePattern, p.Score), Is.EqualTo(((ResourceId?)null, "^ip", (Score?)new Score(-100))));
    }

    [Test]
    public void Parse_ReadsLocationRules_WithNestingDatesAndIdRefs()
    {
        var l = Constraint<LocationConstraint>("loc-rule");
        var rule = l.Rules[0];
        var e2 = (AttributeExpression)rule.Expressions[1];
        var nested = ((NestedRuleExpression)rule.Expressions[2]).Rule;
        var range = (DateExpression)nested.Expressions[0];

        Assert.That((rule.ScoreAttribute, rule.Score, rule.Expressions.Length), Is.EqualTo(("pref", (Score?)null, 3)));
        Assert.That((e2.Attribute, e2.Operation, e2.Value, e2.Type, e2.ValueSource), Is.EqualTo(("cpu", "gte", "4", "integer", "literal")));
        Assert.That((range.Operation, range.Start, range.End, range.Duration!["months"]), Is.EqualTo(("in_range", "2023-01-01", (string?)null, "12")));
        Assert.That(l.Rules[1], Is.SameAs(Config.Properties[1].Rule));
    }

    [Test]
    public void Parse_ReadsLocationSets()
    {
        var set = Constraint<LocationConstraint>("loc-set").Sets.Single();

        Assert.That((set.Id, set.Role, set.Resources.Select(r => r.Value).ToArray()), Is.EqualTo(("loc-set-s1", (ResourceRole?)ResourceRole.Started, new[] { "web", "db" })));
    }

    [Test]
    public void Parse_ReadsColocations_WithLegacyRolesNodeAttributeInfluenceAndSets()
    {
        var plain = Constraint<ColocationConstraint>("col");
        var roles = Constraint<ColocationConstraint>("col-roles");
        var sets = Constraint<ColocationConstraint>("col-sets");

        Assert.That((plain.Dependent?.Value, plain.Primary?.Value, plain.Score, plain.Influence), Is.EqualTo(("ip", "web", Score.Infinity, (bool?)null)));
        Assert.That((roles.DependentRole, roles.PrimaryRole, roles.Score, roles.NodeAttribute, roles.Influence), Is.EqualTo(((ResourceRole?)ResourceRole.Unpromoted, (ResourceRole?)ResourceRole.Promoted, Score.MinusInfinity, "site", (bool?)false)));
        Assert.That(
            sets.Sets.Select(s => (s.Id, s.Sequential, s.RequireAll, s.Ordering, s.Role, s.Score, s.Resources.Length)),
            Is.EqualTo(new[] { ("col-sets-1", (bool?)false, (bool?)null, (string?)null, (ResourceRole?)ResourceRole.Promoted, (Score?)new Score(10), 1), ("col-sets-2", null, false, "listed", null, null, 2) }));
    }

    [TestCase("ord", OrderKind.Mandatory)]
    [TestCase("ord-actions", OrderKind.Serialize)]
    [TestCase("ord-score0", OrderKind.Optional)]
    [TestCase("ord-score", OrderKind.Mandatory)]
    [TestCase("ord-sets", OrderKind.Optional)]
    public void Parse_ReadsOrderKind_IncludingDeprecatedScores(string id, OrderKind expected)
    {
        Assert.That(Constraint<OrderConstraint>(id).Kind, Is.EqualTo(expected));
    }

    [Test]
    public void Parse_ReadsOrderActionsFlagsAndSets()
    {
        var o = Constraint<OrderConstraint>("ord-actions");
        var set = Constraint<OrderConstraint>("ord-sets").Sets.Single();

        Assert.That((o.FirstAction, o.ThenAction, o.Symmetrical, o.RequireAll), Is.EqualTo(((ResourceAction?)ResourceAction.Promote, (ResourceAction?)ResourceAction.Start, (bool?)false, (bool?)true)));
        Assert.That((set.Action, set.Kind), Is.EqualTo(((ResourceAction?)ResourceAction.Stop, (OrderKind?)OrderKind.Mandatory)));
    }

    [Test]
    public void Parse_ReadsTicketConstraint()
    {
        var t = Constraint<TicketConstraint>("tkt");

        Assert.That((t.Resource?.Value, t.Role, t.Ticket, t.LossPolicy), Is.EqualTo(("web", (ResourceRole?)ResourceRole.Promoted, "ticketA", "demote")));
    }

    [Test]
    public void Parse_ReadsDefaults_WithResourceAndOperationExpressions()
    {
        var rsc = (ResourceExpression)Config.ResourceDefaults.Single().Rule!.Expressions.Single();
        var op = (OperationExpression)Config.OperationDefaults.Single().Rule!.Expressions.Single();

        Assert.That((rsc.Class, rsc.Provider, rsc.Type), Is.EqualTo(("ocf", "heartbeat", "apache")));
        Assert.That((op.Name, op.Interval), Is.EqualTo(("monitor", (TimeSpan?)TimeSpan.FromSeconds(10))));
    }

    [Test]
    public void Parse_ReadsFencingTopology()
    {
        var levels = Config.FencingTopology;

        Assert.That(levels.Select(l => (l.Id, l.Index, l.Target?.Value, l.TargetAttribute, l.TargetValue, string.Join(",", l.Devices))), Is.EqualTo(new[]
        {
            ("fl1", 1, "node1", (string?)null, (string?)null, "fence1,fence2"),
            ("fl2", 2, null, "site", "a", "fence1"),
        }));
    }

    [Test]
    public void Parse_ReadsNodeStates_WithMembershipFlagsInEveryForm()
    {
        Assert.That(
            Snapshot.Status.Nodes.Select(n => (n.Id, n.Name.Value, n.InMembership, n.ControllerOnline, n.Join, n.Expected)),
            Is.EqualTo(new[]
            {
                ("101", "node1", (bool?)true, (bool?)true, "member", "member"),
                ("102", "node2", true, false, "down", "down"),
                ("104", "node4", null, false, (string?)null, (string?)null),
            }));
    }

    [Test]
    public void Parse_ReadsTransientAttributes()
    {
        var attrs = Snapshot.Status.Nodes[0].TransientAttributes;

        Assert.That(attrs, Is.EquivalentTo(new Dictionary<string, string> { ["fail-count-web#monitor_10000"] = "3", ["master-base"] = "5" }));
    }

    [Test]
    public void Parse_ReadsOperationHistory_WithExpectedRcFromKeyOrMagic()
    {
        var web = Snapshot.Status.Nodes[0].Resources[0];
        var start = web.Operations[0];
        var monitor = web.Operations[1];
        var pending = web.Operations[2];

        Assert.That((web.Id.Value, web.Class, web.Provider, web.Type), Is.EqualTo(("web", "ocf", "heartbeat", "apache")));
        Assert.That(
            (start.OperationKey, start.CallId, start.RcCode, start.ExecStatus, start.ExpectedRc, start.LastRun, start.LastRcChange, start.ExecTimeMs, start.OpDigest, start.OnNode),
            Is.EqualTo(("web_start_0", 7, 0, 0, (int?)0, (long?)1699999000, (long?)1699999001, (long?)120, "d1", "node1")));
        Assert.That(
            (monitor.OperationKey, monitor.Interval, monitor.ExpectedRc, monitor.TransitionKey, monitor.ExitReason),
            Is.EqualTo(("web_monitor_10000", TimeSpan.FromSeconds(10), (int?)8, (string?)null, "promoted")));
        Assert.That((pending.CallId, pending.ExecStatus), Is.EqualTo((-1, -1)));
    }

    [Test]
    public void Parse_ReadsHistoryContainerAndMigrationFields()
    {
        var base0 = Snapshot.Status.Nodes[0].Resources[1];
        var op = base0.Operations.Single();

        Assert.That((base0.Container, op.ExpectedRc, op.LastRcChange, op.MigrateSource, op.MigrateTarget), Is.EqualTo(("bnd", (int?)7, (long?)1699999002, "node1", "node2")));
    }

    [Test]
    public void Parse_ReadsTickets()
    {
        Assert.That(Snapshot.Status.Tickets, Is.EqualTo(new[] { new TicketState("ticketA", true, false, 1699990000) }));
    }
}
