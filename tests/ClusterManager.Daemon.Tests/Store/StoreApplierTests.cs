using System.Collections.Immutable;
using ClusterManager.Daemon.Store;
using ClusterManager.Model;
using ClusterManager.Model.Configuration;

namespace ClusterManager.Daemon.Tests.Store;

public sealed class StoreApplierTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 24, 10, 0, 0, TimeSpan.Zero);

    internal static PrimitiveConfig Primitive(string id, string type = "IPaddr2") =>
        new(new ResourceId(id), "ocf", "heartbeat", type, [NvSet.Of($"{id}-instance_attributes", ("ip", "198.18.0.10"))], [], [], []);

    internal static ColocationConstraint Colocation(string id, string dependent, string primary) =>
        new(id, new ResourceId(dependent), new ResourceId(primary), Score.Infinity, null, null, null, null, []);

    internal static ChangeBatch Batch(string requestId, params ConfigChange[] changes) =>
        new(requestId, "alice", T0, null, [.. changes]);

    private static StoreState ApplyOk(StoreState state, ChangeBatch batch, long index)
    {
        var outcome = StoreApplier.Apply(state, batch, index);
        Assert.That(outcome, Is.TypeOf<Applied>(), () => outcome is Rejected r ? string.Join("; ", r.Errors) : outcome.ToString());
        return outcome.State;
    }

    [Test]
    public void Apply_AddsResourceAndIncrementsEpoch_WhenValid()
    {
        var state = ApplyOk(StoreState.Empty, Batch("r1", new PutResource(Primitive("VirtualIP"), WriteMode.Create)), 3);

        Assert.That(state.Epoch, Is.EqualTo(1));
        Assert.That(state.Index, Is.EqualTo(3));
        Assert.That(state.Configuration.Resources.Select(r => r.Id.Value), Is.EqualTo(new[] { "VirtualIP" }));
    }

    [Test]
    public void Apply_RecordsHistory_WhenApplied()
    {
        var state = ApplyOk(StoreState.Empty, Batch("r1", new PutResource(Primitive("VirtualIP"), WriteMode.Create), new SetOption(OptionScope.ClusterProperty, "stonith-enabled", "true")), 7);

        var entry = state.History.Single();
        Assert.That(entry.RequestId, Is.EqualTo("r1"));
        Assert.That(entry.Author, Is.EqualTo("alice"));
        Assert.That(entry.Timestamp, Is.EqualTo(T0));
        Assert.That(entry.Index, Is.EqualTo(7));
        Assert.That(entry.Changes, Is.EqualTo(new[] { "put primitive VirtualIP (ocf:heartbeat:IPaddr2)", "set property stonith-enabled=true" }));
    }

    [Test]
    public void Apply_RejectedNamingTheConstraint_WhenConstraintNamesMissingResource()
    {
        var outcome = StoreApplier.Apply(StoreState.Empty, Batch("r1", new PutConstraint(Colocation("col-1", "HAProxy", "VirtualIP"), WriteMode.Upsert)), 1);

        Assert.That(outcome, Is.TypeOf<Rejected>());
        Assert.That(((Rejected)outcome).Errors, Has.Some.Contains("col-1").And.Contains("HAProxy"));
        Assert.That(outcome.State.Epoch, Is.Zero);
    }

    [TestCase("stonith-enabled", "maybe", "stonith-enabled")]
    [TestCase("no-such-option", "1", "no-such-option")]
    public void Apply_RejectedNamingTheProperty_WhenPropertyInvalid(string name, string value, string named)
    {
        var outcome = StoreApplier.Apply(StoreState.Empty, Batch("r1", new SetOption(OptionScope.ClusterProperty, name, value)), 1);

        Assert.That(outcome, Is.TypeOf<Rejected>());
        Assert.That(((Rejected)outcome).Errors, Has.Some.Contains(named));
    }

    [Test]
    public void Apply_RejectsWholeBatch_WhenOneChangeInvalid()
    {
        var batch = Batch(
            "r1",
            new PutResource(Primitive("VirtualIP"), WriteMode.Create),
            new SetOption(OptionScope.ClusterProperty, "no-quorum-policy", "ignore"),
            new DeleteConstraint("missing"));

        var outcome = StoreApplier.Apply(StoreState.Empty, batch, 1);

        Assert.That(outcome, Is.TypeOf<Rejected>());
        Assert.That(((Rejected)outcome).Errors, Is.EqualTo(new[] { "constraint 'missing' does not exist" }));
        Assert.That(outcome.State.Configuration.Resources, Is.Empty);
        Assert.That(outcome.State.Configuration.Properties, Is.Empty);
        Assert.That(outcome.State.History, Is.Empty);
    }

    [TestCase(WriteMode.Create, true)]
    [TestCase(WriteMode.Upsert, false)]
    [TestCase(WriteMode.Replace, false)]
    public void Apply_HonoursWriteMode_WhenResourceExists(WriteMode mode, bool rejected)
    {
        var state = ApplyOk(StoreState.Empty, Batch("r1", new PutResource(Primitive("VirtualIP"), WriteMode.Create)), 1);

        var outcome = StoreApplier.Apply(state, Batch("r2", new PutResource(Primitive("VirtualIP", "IPaddr"), mode)), 2);

        Assert.That(outcome is Rejected, Is.EqualTo(rejected));
        Assert.That(((PrimitiveConfig)outcome.State.Configuration.Resources.Single()).Type, Is.EqualTo(rejected ? "IPaddr2" : "IPaddr"));
    }

    [Test]
    public void Apply_Rejected_WhenReplacingMissingResource()
    {
        var outcome = StoreApplier.Apply(StoreState.Empty, Batch("r1", new PutResource(Primitive("VirtualIP"), WriteMode.Replace)), 1);

        Assert.That(((Rejected)outcome).Errors, Is.EqualTo(new[] { "resource 'VirtualIP' does not exist" }));
    }

    [Test]
    public void Apply_AppliesOnce_WhenRequestIdRetried()
    {
        var batch = Batch("r1", new PutResource(Primitive("VirtualIP"), WriteMode.Create));
        var first = ApplyOk(StoreState.Empty, batch, 1);

        var retry = StoreApplier.Apply(first, batch, 2);

        Assert.That(retry, Is.TypeOf<Duplicate>());
        Assert.That(((Duplicate)retry).Epoch, Is.EqualTo(1));
        Assert.That(retry.State.Epoch, Is.EqualTo(1));
        Assert.That(retry.State.History, Has.Count.EqualTo(1));
        Assert.That(retry.State.Configuration, Is.SameAs(first.Configuration));
    }

    [Test]
    public void Apply_ForgetsOldestRequestId_WhenLimitExceeded()
    {
        var state = StoreState.Empty;
        for (var i = 0; i <= StoreState.RequestIdLimit; i++)
        {
            state = ApplyOk(state, Batch($"r{i}", new SetOption(OptionScope.ClusterProperty, "cluster-name", $"c{i}")), i + 1);
        }

        Assert.That(state.AppliedRequests, Has.Count.EqualTo(StoreState.RequestIdLimit));
        Assert.That(state.AppliedRequests.ContainsKey("r0"), Is.False);
        Assert.That(state.AppliedRequests.ContainsKey("r1"), Is.True);
        Assert.That(state.History, Has.Count.EqualTo(StoreState.HistoryLimit));
    }

    [TestCase(0L, false)]
    [TestCase(1L, true)]
    public void Apply_ComparesEpoch_WhenExpectedEpochGiven(long expected, bool rejected)
    {
        var batch = Batch("r1", new SetOption(OptionScope.ClusterProperty, "stonith-enabled", "false")) with { ExpectedEpoch = expected };

        var outcome = StoreApplier.Apply(StoreState.Empty, batch, 1);

        Assert.That(outcome is Rejected { Reason: RejectReason.EpochMismatch }, Is.EqualTo(rejected));
    }

    [Test]
    public void Apply_RemovesResourceAndConstraint_WhenDeletedTogether()
    {
        var state = ApplyOk(StoreState.Empty, Batch(
            "r1",
            new PutResource(Primitive("VirtualIP"), WriteMode.Create),
            new PutResource(Primitive("HAProxy", "haproxy"), WriteMode.Create),
            new PutConstraint(Colocation("col-1", "HAProxy", "VirtualIP"), WriteMode.Create)), 1);

        var alone = StoreApplier.Apply(state, Batch("r2", new DeleteResource(new ResourceId("VirtualIP"))), 2);
        var together = StoreApplier.Apply(state, Batch("r3", new DeleteConstraint("col-1"), new DeleteResource(new ResourceId("VirtualIP"))), 3);

        Assert.That(alone, Is.TypeOf<Rejected>());
        Assert.That(((Rejected)alone).Errors, Has.Some.Contains("col-1"));
        Assert.That(together, Is.TypeOf<Applied>());
        Assert.That(together.State.Configuration.Constraints, Is.Empty);
        Assert.That(together.State.Configuration.Resources.Select(r => r.Id.Value), Is.EqualTo(new[] { "HAProxy" }));
    }

    [Test]
    public void Apply_SetsAndUnsetsProperty_InBootstrapOptions()
    {
        var set = ApplyOk(StoreState.Empty, Batch("r1", new SetOption(OptionScope.ClusterProperty, "no-quorum-policy", "ignore")), 1);
        var unset = ApplyOk(set, Batch("r2", new SetOption(OptionScope.ClusterProperty, "no-quorum-policy", null)), 2);

        var pairs = set.Configuration.Properties.Single(s => s.Id == StoreApplier.PropertySetId).Pairs;
        Assert.That(pairs.Select(p => (p.Name, p.Value)), Is.EqualTo(new[] { ("no-quorum-policy", (string?)"ignore") }));
        Assert.That(unset.Configuration.Properties.SelectMany(s => s.Pairs), Is.Empty);
    }

    [Test]
    public void Apply_CreatesNodeWithAttribute_WhenNodeUnknown()
    {
        var state = ApplyOk(StoreState.Empty, Batch("r1", new SetNodeAttribute(new NodeName("n1"), "standby", "on")), 1);

        var node = state.Configuration.Nodes.Single();
        Assert.That(node.Name, Is.EqualTo(new NodeName("n1")));
        Assert.That(node.Attributes.SelectMany(s => s.Pairs).Select(p => (p.Name, p.Value)), Is.EqualTo(new[] { ("standby", (string?)"on") }));
    }

    [Test]
    public void Check_Rejected_WhenBatchEmpty()
    {
        var (config, errors) = StoreApplier.Check(ClusterConfiguration.Empty, ImmutableArray<ConfigChange>.Empty);

        Assert.That(config, Is.Null);
        Assert.That(errors, Is.EqualTo(new[] { "the batch has no changes" }));
    }
}
