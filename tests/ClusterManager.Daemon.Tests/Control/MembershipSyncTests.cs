using System.Collections.Immutable;
using ClusterManager.Daemon.Control;
using ClusterManager.Daemon.Store;
using ClusterManager.Model;
using ClusterManager.Model.Status;

namespace ClusterManager.Daemon.Tests.Control;

public sealed class MembershipSyncTests
{
    private static readonly NodeName N1 = new("n1");
    private static readonly TimeSpan Delay = TimeSpan.FromSeconds(1.5);

    private static ClusterStatus Recorded(bool? inCluster, string join = "member", string expected = "member") =>
        ClusterStatus.Empty with
        {
            Nodes = inCluster is null
                ? []
                : [new NodeState("n1", N1, inCluster, inCluster, join, expected, ImmutableSortedDictionary<string, string>.Empty, [])],
        };

    private static MemberAvailability Member(bool? available, double downSeconds = 0) => new(N1, available, TimeSpan.FromSeconds(downSeconds));

    [TestCase(null)]
    [TestCase(false)]
    public void Changes_RecordsNodeOnline_WhenItAnswersAndIsNotRecordedOnline(bool? recorded)
    {
        var changes = MembershipSync.Changes(Recorded(recorded), [Member(true)], fencingEnabled: true, Delay);

        Assert.That(changes, Is.EqualTo(new ConfigChange[] { new SetNodeState(N1, true, "member", "member", false) }));
    }

    [Test]
    public void Changes_None_WhenStoreAgrees()
    {
        Assert.That(MembershipSync.Changes(Recorded(true), [Member(true)], true, Delay), Is.Empty);
        Assert.That(MembershipSync.Changes(Recorded(true), [Member(null)], true, Delay), Is.Empty);
    }

    [Test]
    public void Changes_RecordsLostButExpected_WhenNodeSilentWithFencing()
    {
        var changes = MembershipSync.Changes(Recorded(true), [Member(false, 0.05)], fencingEnabled: true, Delay);

        Assert.That(changes, Is.EqualTo(new ConfigChange[] { new SetNodeState(N1, false, "member", "member", false) }));
    }

    [TestCase(0.5, false)]
    [TestCase(1.5, true)]
    public void Changes_RecordsDownAfterTheDelay_WhenNodeSilentWithoutFencing(double downSeconds, bool recordsDown)
    {
        var changes = MembershipSync.Changes(Recorded(true), [Member(false, downSeconds)], fencingEnabled: false, Delay);

        Assert.That(changes, Is.EqualTo(recordsDown ? new ConfigChange[] { MembershipSync.Down(N1) } : []));
    }

    [Test]
    public void Changes_RecordsDown_WhenFencingTurnedOffWhileNodeAwaitedItsFence()
    {
        var changes = MembershipSync.Changes(Recorded(false), [Member(false, 5)], fencingEnabled: false, Delay);

        Assert.That(changes, Is.EqualTo(new ConfigChange[] { MembershipSync.Down(N1) }));
    }

    [Test]
    public void Changes_None_WhenNodeAwaitsItsFence()
    {
        Assert.That(MembershipSync.Changes(Recorded(false), [Member(false, 5)], fencingEnabled: true, Delay), Is.Empty);
        Assert.That(MembershipSync.Changes(Recorded(false, "down", "down"), [Member(false, 5)], fencingEnabled: false, Delay), Is.Empty);
    }

    [Test]
    public void Rejoined_ErasesHistoryThenRecordsBootId_WhenNodeRestarted()
    {
        var changes = MembershipSync.Rejoined(N1, "b00t");

        Assert.That(changes, Is.EqualTo(new ConfigChange[]
        {
            new SetNodeState(N1, true, "member", "member", true), new SetTransientAttribute(N1, MembershipSync.BootAttribute, "b00t"),
        }));
    }
}
