using ClusterManager.Model;
using ClusterManager.Model.Configuration;
using static ClusterManager.Policy.Tests.Support.Cluster;

namespace ClusterManager.Policy.Tests;

/// <summary>Scenarios an operator knows, checked on the engine's decisions (placement, actions, order, reasons).</summary>
public sealed class PolicyEngineTests
{
    private static string? NodeOf(Transition t, string rsc) =>
        t.Placements.Single(p => p.Resource.Value == rsc).Node?.Value;

    private static PlannedAction Action(Transition t, ActionKind kind, string? rsc, string node) =>
        t.Actions.Single(a => a.Kind == kind && a.Resource?.Value == rsc && a.Node?.Value == node);

    [Test]
    public void Compute_ProbesEverythingAndSpreadsResources_OnColdStart()
    {
        var t = PolicyEngine.Compute(With(Node("n1"), Node("n2"))
            .Resources(Primitive("a"), Primitive("b"))
            .Build());

        Assert.That(t.Actions.Count(a => a.Kind == ActionKind.Probe), Is.EqualTo(4));
        Assert.That((NodeOf(t, "a"), NodeOf(t, "b")), Is.EqualTo(("n1", "n2")));
        var start = Action(t, ActionKind.Start, "a", "n1");
        var probe = Action(t, ActionKind.Probe, "a", "n1");
        Assert.That(start.Inputs, Does.Contain(probe.Id), "a start waits for the probes of that resource");
    }

    [Test]
    public void Compute_PlacesDependentWithPrimaryAndOrdersStarts_ForTheSeedStack()
    {
        var t = PolicyEngine.Compute(With(Node("n1"), Node("n2"))
            .Resources(Primitive("VirtualIP", "ocf:heartbeat:IPaddr2"), Primitive("HAProxy", "systemd:haproxy"))
            .Colocate("HAProxy", "VirtualIP", Score.Infinity)
            .Order("VirtualIP", "HAProxy")
            .Build());

        Assert.That(NodeOf(t, "HAProxy"), Is.EqualTo(NodeOf(t, "VirtualIP")));
        var ipStart = Action(t, ActionKind.Start, "VirtualIP", NodeOf(t, "VirtualIP")!);
        var proxyStart = Action(t, ActionKind.Start, "HAProxy", NodeOf(t, "HAProxy")!);
        Assert.That(proxyStart.Inputs, Does.Contain(ipStart.Id));
    }

    [Test]
    public void Compute_IgnoresLocationWithWarning_WhenRscPatternIsNoRegularExpression()
    {
        // A snapshot not read through CibReader (which refuses the pattern): as Pacemaker, the constraint is left out.
        var t = PolicyEngine.Compute(With(Node("n1"), Node("n2"))
            .Resources(Primitive("ip", "ocf:heartbeat:IPaddr2"))
            .Add(new LocationConstraint("bad-pattern", null, "+ip", [], null, new NodeName("n1"), Score.MinusInfinity, [], ResourceDiscovery.Always))
            .Build());

        Assert.That(t.Warnings, Has.One.Contains("constraint 'bad-pattern': rsc-pattern '+ip' is not a valid regular expression"));
        Assert.That(NodeOf(t, "ip"), Is.Not.Null);
    }

    [Test]
    public void Compute_RefusesNamingTheClone_WhenCloneMaxIsAbsurd()
    {
        // Found by BadInputFuzzTests: clone-max 1031448768 made the engine build a billion instances.
        var snapshot = With(Node("n1"), Node("n2"))
            .Resources(Clone("big", Primitive("d", "ocf:heartbeat:Dummy"), ("clone-max", "1031448768")))
            .Build();

        Assert.That(() => PolicyEngine.Compute(snapshot), Throws.TypeOf<PolicyInputException>()
            .With.Message.EqualTo("clone 'big': clone-max 1031448768 is more than the 10000 instances a clone can have"));
    }

    [Test]
    public void Compute_SchedulesMissingMonitor_ForResourceStartedWithoutIt()
    {
        var t = PolicyEngine.Compute(With(Node("n1").StartedWithoutMonitor("ip"), Node("n2").Probed("ip"))
            .Resources(Primitive("ip"))
            .Build());

        var monitors = t.Actions.Where(a => a.Kind == ActionKind.Monitor && a.Resource?.Value == "ip").ToList();
        Assert.That(monitors.Select(m => (m.Node?.Value, m.Interval, m.Runnable)), Is.EqualTo(new[] { ("n1", TimeSpan.FromSeconds(10), true) }));
        Assert.That(t.Actions.Any(a => a.Kind is ActionKind.Start or ActionKind.Stop), Is.False, "the resource stays where it runs");
    }

    [Test]
    public void Compute_PlansNothing_ForResourceRunningWithItsMonitor()
    {
        var t = PolicyEngine.Compute(With(Node("n1").Running("ip"), Node("n2").Probed("ip"))
            .Resources(Primitive("ip"))
            .Build());

        Assert.That(t.Actions.Where(a => a.Kind != ActionKind.Pseudo), Is.Empty);
    }

    [Test]
    public void Compute_FencesLostNodeBeforeRecovering_WhenFencingIsOn()
    {
        var t = PolicyEngine.Compute(With(Node("n1").Probed("ip").Running("fence"), Node("n2").Lost().Running("ip").Probed("fence"))
            .Fencing()
            .Resources(Primitive("ip"))
            .Build());

        var fence = t.Actions.Single(a => a.Kind == ActionKind.Fence);
        Assert.That(fence.Node?.Value, Is.EqualTo("n2"));
        Assert.That(NodeOf(t, "ip"), Is.EqualTo("n1"), "ip is recovered on the survivor");
        var ipStart = Action(t, ActionKind.Start, "ip", "n1");
        Assert.That(ipStart.Inputs, Does.Contain(fence.Id), "recovery waits for the fencing to be confirmed");
        Assert.That(t.Changes.Any(c => c.Kind == ChangeKind.Fence && c.Reason == "peer is no longer part of the cluster"), Is.True);
    }

    [Test]
    public void Compute_LeavesLostNodesResourcesAlone_WhenFencingIsOnButThereIsNoQuorum()
    {
        var t = PolicyEngine.Compute(With(Node("n1").Probed("ip"), Node("n2").Lost().Running("ip"), Node("n3").Lost().Probed("ip"))
            .Fencing()
            .Property("no-quorum-policy", "stop")
            .NoQuorum()
            .Resources(Primitive("ip"))
            .Build());

        Assert.That(t.Actions.Any(a => a.Kind == ActionKind.Fence && a.Runnable), Is.False, "a minority cannot fence");
        Assert.That(t.Actions.Any(a => a.Kind == ActionKind.Start && a.Runnable), Is.False, "nothing starts without quorum");
    }

    [Test]
    public void Compute_StopsEverything_WithoutQuorumAndPolicyStop()
    {
        var t = PolicyEngine.Compute(With(Node("n1").Running("a"), Node("n2").Probed("a"))
            .NoQuorum()
            .Property("no-quorum-policy", "stop")
            .Resources(Primitive("a"))
            .Build());

        Assert.That(NodeOf(t, "a"), Is.Null);
        Assert.That(t.Changes.Single(c => c.Subject == "a").Reason, Is.EqualTo("no quorum"));
    }

    [Test]
    public void Compute_KeepsResourcesRunning_WithoutQuorumAndPolicyIgnore()
    {
        var t = PolicyEngine.Compute(With(Node("n1").Running("a"), Node("n2").Probed("a"))
            .NoQuorum()
            .Property("no-quorum-policy", "ignore")
            .Resources(Primitive("a"))
            .Build());

        Assert.That(NodeOf(t, "a"), Is.EqualTo("n1"));
        Assert.That(t.Changes, Is.Empty);
    }

    [TestCase(0, "n2")]
    [TestCase(100, "n1")]
    public void Compute_StickinessDecidesBetweenCurrentAndPreferredNode(int stickiness, string expected)
    {
        var t = PolicyEngine.Compute(With(Node("n1").Running("a"), Node("n2").Probed("a"))
            .Stickiness(stickiness)
            .Resources(Primitive("a"))
            .Location("a", "n2", new Score(50))
            .Build());

        Assert.That(NodeOf(t, "a"), Is.EqualTo(expected));
    }

    [TestCase(1, "n2")]
    [TestCase(3, "n1")]
    public void Compute_MovesAfterMigrationThreshold_WhenFailCountReachesIt(int threshold, string expected)
    {
        var t = PolicyEngine.Compute(With(Node("n1").MonitorFailed("a"), Node("n2").Probed("a"))
            .Stickiness(100)
            .Resources(Primitive("a", meta: ("migration-threshold", threshold.ToString(System.Globalization.CultureInfo.InvariantCulture))))
            .Build());

        Assert.That(NodeOf(t, "a"), Is.EqualTo(expected));
        var change = t.Changes.Single(c => c.Subject == "a");
        Assert.That((change.Kind, change.From?.Value, change.To?.Value),
            Is.EqualTo(expected == "n1" ? (ChangeKind.Recover, "n1", (string?)null) : (ChangeKind.Recover, "n1", "n2")));
    }

    [Test]
    public void Compute_MovesEverythingOff_AStandbyNode()
    {
        var t = PolicyEngine.Compute(With(Node("n1").Standby().Running("a").Running("b"), Node("n2").Probed("a").Probed("b"))
            .Stickiness(100)
            .Resources(Primitive("a"), Primitive("b"))
            .Build());

        Assert.That((NodeOf(t, "a"), NodeOf(t, "b")), Is.EqualTo(("n2", "n2")));
        Assert.That(t.Changes.Select(c => c.Kind), Is.All.EqualTo(ChangeKind.Move));
    }

    [Test]
    public void Compute_MigratesInsteadOfMoving_WhenAllowMigrateIsSet()
    {
        var t = PolicyEngine.Compute(With(Node("n1").Standby().Running("vm"), Node("n2").Probed("vm"))
            .Resources(Primitive("vm", meta: ("allow-migrate", "true")))
            .Build());

        Assert.That(t.Changes.Single().Kind, Is.EqualTo(ChangeKind.Migrate));
        var migrateTo = Action(t, ActionKind.MigrateTo, "vm", "n1");
        var migrateFrom = Action(t, ActionKind.MigrateFrom, "vm", "n2");
        var stop = Action(t, ActionKind.Stop, "vm", "n1");
        var start = t.Actions.Single(a => a.Resource?.Value == "vm" && a.Key == "vm_start_0");
        Assert.That(migrateFrom.Inputs, Does.Contain(migrateTo.Id));
        Assert.That(stop.Inputs, Does.Contain(migrateFrom.Id), "the source stops once the target has the resource");
        Assert.That((start.Kind, start.Inputs.Contains(migrateFrom.Id)), Is.EqualTo((ActionKind.Pseudo, true)), "no agent start on the target");
        Assert.That((migrateTo.Detail!.Meta["migrate_source"], migrateTo.Detail.Meta["migrate_target"]), Is.EqualTo(("n1", "n2")));
        Assert.That(migrateFrom.Detail!.Meta["migrate_source"], Is.EqualTo("n1"));
    }

    [TestCase("false")]
    [TestCase(null)]
    public void Compute_StopsAndStarts_WithoutAllowMigrate(string? allowMigrate)
    {
        (string, string)[] meta = allowMigrate is null ? [] : [("allow-migrate", allowMigrate)];
        var t = PolicyEngine.Compute(With(Node("n1").Standby().Running("vm"), Node("n2").Probed("vm"))
            .Resources(Primitive("vm", meta: meta))
            .Build());

        Assert.That(t.Changes.Single().Kind, Is.EqualTo(ChangeKind.Move));
        Assert.That(t.Actions.Any(a => a.Kind is ActionKind.MigrateTo or ActionKind.MigrateFrom), Is.False);
        Assert.That(Action(t, ActionKind.Start, "vm", "n2").Runnable, Is.True);
    }

    [Test]
    public void Compute_StopsResource_WhenTargetRoleIsStopped()
    {
        var t = PolicyEngine.Compute(With(Node("n1").Running("a"))
            .Resources(Primitive("a", meta: ("target-role", "Stopped")))
            .Build());

        Assert.That(NodeOf(t, "a"), Is.Null);
        Assert.That(t.Placements.Single().Reason, Does.Contain("target-role is Stopped"));
    }

    [Test]
    public void Compute_StartsGroupMembersInOrderOnOneNode()
    {
        var t = PolicyEngine.Compute(With(Node("n1"), Node("n2"))
            .Resources(Group("g", Primitive("ip"), Primitive("web"), Primitive("db")))
            .Location("db", "n2", new Score(500))
            .Build());

        Assert.That(new[] { NodeOf(t, "ip"), NodeOf(t, "web"), NodeOf(t, "db") }, Is.All.EqualTo("n2"));
        var webStart = Action(t, ActionKind.Start, "web", "n2");
        Assert.That(webStart.Inputs, Does.Contain(Action(t, ActionKind.Start, "ip", "n2").Id));
    }

    [Test]
    public void Compute_RunsOneCloneInstancePerNode()
    {
        var t = PolicyEngine.Compute(With(Node("n1"), Node("n2"), Node("n3"))
            .Resources(Clone("dummy-clone", Primitive("dummy")))
            .Build());

        var nodes = t.Placements.Where(p => p.Node is not null).Select(p => p.Node!.Value.Value).Order().ToList();
        Assert.That(nodes, Is.EqualTo(new[] { "n1", "n2", "n3" }));
    }

    [Test]
    public void Compute_ExplainsThePlacement_WithTheScores()
    {
        var t = PolicyEngine.Compute(With(Node("n1"), Node("n2"))
            .Resources(Primitive("WebIP"))
            .Location("WebIP", "n2", new Score(200))
            .Location("WebIP", "n1", Score.MinusInfinity)
            .Build());

        var why = t.Placements.Single(p => p.Resource.Value == "WebIP");
        Assert.That(why.Node?.Value, Is.EqualTo("n2"));
        Assert.That(why.Reason, Does.Contain("n2=200").And.Contain("n1=-INFINITY"));
    }

    [Test]
    public void Compute_BlocksDependentStart_WhenMandatoryFirstCannotStart()
    {
        var t = PolicyEngine.Compute(With(Node("n1"))
            .Resources(Primitive("a", meta: ("target-role", "Stopped")), Primitive("b"))
            .Order("a", "b")
            .Build());

        Assert.That(NodeOf(t, "b"), Is.Null);
        var change = t.Changes.Single(c => c.Subject == "b");
        Assert.That((change.Kind, change.Blocked, change.Reason), Is.EqualTo((ChangeKind.Start, true, "unrunnable a start")));
    }

    [Test]
    public void Compute_IgnoresConstraintOnMissingResource_AndSaysSo()
    {
        var t = PolicyEngine.Compute(With(Node("n1"))
            .Resources(Primitive("a"))
            .Colocate("a", "ghost", Score.Infinity)
            .Build());

        Assert.That(NodeOf(t, "a"), Is.EqualTo("n1"));
        Assert.That(t.Warnings, Has.Some.Contains("'ghost' does not exist"));
    }

    [Test]
    public void Compute_WarnsOnceAboutInvalidTargetRole_WhenTheResourceHasHistoryOnEveryNode()
    {
        var t = PolicyEngine.Compute(With(Node("n1").Running("a"), Node("n2").Probed("a"), Node("n3").Probed("a"))
            .Resources(Primitive("a", meta: ("target-role", "Leader")))
            .Build());

        Assert.That(t.Warnings.Count(w => w.Contains("target-role 'Leader' is not a role", StringComparison.Ordinal)), Is.EqualTo(1));
        Assert.That(NodeOf(t, "a"), Is.EqualTo("n1"), "an invalid target-role is ignored");
    }

    [Test]
    public void Compute_Refuses_ADuplicateResourceId()
    {
        var snapshot = With(Node("n1")).Resources(Primitive("a"), Primitive("a")).Build();

        Assert.That(() => PolicyEngine.Compute(snapshot),
            Throws.TypeOf<PolicyInputException>().With.Message.Contains("'a'").And.Message.Contains("more than once"));
    }

    [Test]
    public void Compute_LeavesResourcesUnmanaged_WhenFencingIsEnabledWithoutADevice()
    {
        var t = PolicyEngine.Compute(With(Node("n1"), Node("n2"))
            .Property("stonith-enabled", "true")
            .Resources(Primitive("a"))
            .Build());

        Assert.That(t.Actions.Any(a => a.Kind == ActionKind.Start), Is.False, "with fencing on and no device nothing starts");
    }

    [Test]
    public void Compute_RestartsInPlace_WhenTheResourceDefinitionChanged()
    {
        // The history records the digest of "no parameters"; the configuration now has one.
        var changed = new Model.Configuration.PrimitiveConfig(new ResourceId("a"), "ocf", "heartbeat", "Dummy",
            [Model.Configuration.NvSet.Of("a-params", ("state", "/run/a.state"))], [], [], []);
        var t = PolicyEngine.Compute(With(Node("n1").Running("a"), Node("n2").Probed("a"))
            .Stickiness(100)
            .Resources(changed)
            .Build());

        var change = t.Changes.Single(c => c.Subject == "a");
        Assert.That((change.Kind, change.From?.Value, change.Reason), Is.EqualTo((ChangeKind.Restart, "n1", "resource definition change")));
    }

    [Test]
    public void Compute_LeavesResourceAlone_WhenItsDefinitionIsUnchanged()
    {
        var t = PolicyEngine.Compute(With(Node("n1").Running("a"), Node("n2").Probed("a"))
            .Stickiness(100)
            .Resources(Primitive("a"))
            .Build());

        Assert.That(t.Changes, Is.Empty);
    }
}
