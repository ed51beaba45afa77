using ClusterManager.Daemon.Store;
using ClusterManager.Model;
using ClusterManager.Model.Status;
using static ClusterManager.Daemon.Tests.Store.StoreApplierTests;

namespace ClusterManager.Daemon.Tests.Store;

/// <summary>The controller's status changes: node state, transient attributes, and batches that are not configuration.</summary>
public sealed class StoreNodeStateTests
{
    private static readonly NodeName N1 = new("n1");
    private static readonly ResourceHistory Dummy = new(new ResourceId("R1"), "ocf", "heartbeat", "Dummy", null, []);

    private static OperationRecord Started() =>
        new("R1_last_0", "R1_start_0", "start", 3, 0, 0, TimeSpan.Zero, 0, null, 1, 1, null, null, "n1", null, null, 5);

    private static ChangeBatch Internal(string id, params ConfigChange[] changes) =>
        Batch(id, changes) with { Author = "controller@n2" };

    [Test]
    public void Apply_RecordsMembershipAndKeepsHistory_WhenNodeStateSetWithoutClearing()
    {
        var state = StoreApplier.Apply(StoreState.Empty, Internal("r1", new RecordOperation(N1, Dummy, Started())), 1).State;

        state = StoreApplier.Apply(state, Internal("r2", new SetNodeState(N1, false, "member", "member", ClearHistory: false)), 2).State;

        var node = state.Status.Nodes.Single();
        Assert.That((node.InMembership, node.ControllerOnline, node.Join, node.Expected), Is.EqualTo(((bool?)false, (bool?)false, "member", "member")));
        Assert.That(node.Resources.Single().Operations.Single().Id, Is.EqualTo("R1_last_0"));
    }

    [Test]
    public void Apply_ErasesHistoryAndTransientAttributes_WhenNodeDownWithClearing()
    {
        var state = StoreApplier.Apply(StoreState.Empty, Internal("r1",
            new RecordOperation(N1, Dummy, Started()),
            new SetTransientAttribute(N1, "fail-count-R1#monitor_10000", "2")), 1).State;

        state = StoreApplier.Apply(state, Internal("r2", new SetNodeState(N1, false, "down", "down", ClearHistory: true)), 2).State;

        var node = state.Status.Nodes.Single();
        Assert.That(node.Resources, Is.Empty);
        Assert.That(node.TransientAttributes, Is.Empty);
        Assert.That(node.Expected, Is.EqualTo("down"));
    }

    [TestCase("2", "2")]
    [TestCase(null, null)]
    public void Apply_SetsOrRemovesAttribute_WhenTransientAttributeChanged(string? value, string? expected)
    {
        var state = StoreApplier.Apply(StoreState.Empty, Internal("r1", new SetTransientAttribute(N1, "a", "1")), 1).State;

        state = StoreApplier.Apply(state, Internal("r2", new SetTransientAttribute(N1, "a", value)), 2).State;

        Assert.That(state.Status.Nodes.Single().TransientAttributes.GetValueOrDefault("a"), Is.EqualTo(expected));
    }

    [Test]
    public void Apply_KeepsEpochHistoryAndRequestIds_WhenControllerRecordsStatus()
    {
        var state = StoreApplier.Apply(StoreState.Empty, Internal("r1", new RecordOperation(N1, Dummy, Started())), 7).State;

        Assert.That((state.Epoch, state.History.Count, state.AppliedRequests.Count, state.Index), Is.EqualTo((0L, 0, 0, 7L)));
        Assert.That(state.Status.Nodes.Single().Resources, Has.Length.EqualTo(1));
    }

    [Test]
    public void Apply_AdvancesEpochAndHistory_WhenClientRecordsStatus()
    {
        var state = StoreApplier.Apply(StoreState.Empty, Batch("r1", new ClearResourceHistory(null, new ResourceId("R1"))), 1).State;

        Assert.That((state.Epoch, state.History.Count), Is.EqualTo((1L, 1)));
    }

    [Test]
    public void Apply_Refused_WhenNodeStateHasNoNodeName()
    {
        var outcome = StoreApplier.Apply(StoreState.Empty, Internal("r1", new SetNodeState(new NodeName(" "), true, "member", "member", false)), 1);

        Assert.That(outcome, Is.TypeOf<Rejected>());
        Assert.That(((Rejected)outcome).Errors, Has.Some.Contains("node name"));
    }

    [Test]
    public void DecodeBatch_KeepsNodeStateAndAttribute_WhenEncoded()
    {
        var batch = Internal("r1", new SetNodeState(N1, true, "member", "member", true), new SetTransientAttribute(N1, "x", null));

        var decoded = StoreCodec.DecodeBatch(StoreCodec.EncodeBatch(batch));

        Assert.That(decoded.Changes, Is.EqualTo(batch.Changes));
        Assert.That(decoded.Author, Is.EqualTo("controller@n2"));
    }
}
