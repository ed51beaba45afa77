using ClusterManager.Daemon.Store;
using ClusterManager.Model;
using static ClusterManager.Daemon.Tests.Store.StoreApplierTests;

namespace ClusterManager.Daemon.Tests.Store;

public sealed class StoreCodecTests
{
    [Test]
    public void DecodeBatch_GivesBackTheBatch_WhenEncoded()
    {
        var batch = Batch(
            "req-1",
            new PutResource(Primitive("VirtualIP"), WriteMode.Create),
            new PutConstraint(Colocation("col-1", "HAProxy", "VirtualIP"), WriteMode.Upsert),
            new DeleteResource(new ResourceId("Old")),
            new DeleteConstraint("old-constraint"),
            new SetOption(OptionScope.OperationDefault, "timeout", null),
            new SetNodeAttribute(new NodeName("n1"), "standby", "on")) with { ExpectedEpoch = 4 };

        var decoded = StoreCodec.DecodeBatch(StoreCodec.EncodeBatch(batch));

        Assert.That(decoded.RequestId, Is.EqualTo("req-1"));
        Assert.That(decoded.Author, Is.EqualTo("alice"));
        Assert.That(decoded.Timestamp, Is.EqualTo(batch.Timestamp));
        Assert.That(decoded.ExpectedEpoch, Is.EqualTo(4));
        Assert.That(decoded.Changes.Select(c => c.Describe()), Is.EqualTo(batch.Changes.Select(c => c.Describe())));
        Assert.That(CibFragments.WriteResource(((PutResource)decoded.Changes[0]).Resource), Is.EqualTo(CibFragments.WriteResource(Primitive("VirtualIP"))));
    }

    [Test]
    public void DecodeState_GivesBackTheState_WhenEncoded()
    {
        var state = StoreApplier.Apply(StoreState.Empty, Batch(
            "r1",
            new PutResource(Primitive("VirtualIP"), WriteMode.Create),
            new PutResource(Primitive("HAProxy", "haproxy"), WriteMode.Create),
            new PutConstraint(Colocation("col-1", "HAProxy", "VirtualIP"), WriteMode.Create),
            new SetOption(OptionScope.ClusterProperty, "stonith-enabled", "true")), 5).State;
        state = StoreApplier.Apply(state, Batch("r2", new SetNodeAttribute(new NodeName("n2"), "standby", "on")), 6).State;

        var decoded = StoreCodec.DecodeState(StoreCodec.EncodeState(state));

        Assert.That(decoded.Index, Is.EqualTo(6));
        Assert.That(decoded.Epoch, Is.EqualTo(2));
        Assert.That(CibFragments.WriteConfiguration(decoded.Configuration, 2), Is.EqualTo(CibFragments.WriteConfiguration(state.Configuration, 2)));
        Assert.That(decoded.RequestOrder, Is.EqualTo(new[] { "r1", "r2" }));
        Assert.That(decoded.AppliedRequests["r2"], Is.EqualTo(2));
        Assert.That(decoded.History.Select(h => (h.Epoch, h.Index, h.RequestId, h.Timestamp)), Is.EqualTo(state.History.Select(h => (h.Epoch, h.Index, h.RequestId, h.Timestamp))));
        Assert.That(decoded.History[0].Changes, Is.EqualTo(state.History[0].Changes));
    }

    [Test]
    public void DecodeState_Throws_WhenVersionUnknown()
    {
        Assert.That(() => StoreCodec.DecodeState("{\"v\":99}"u8), Throws.TypeOf<FormatException>().With.Message.Contains("99"));
    }
}
