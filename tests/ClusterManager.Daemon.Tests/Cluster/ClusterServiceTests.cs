using ClusterManager.Api.V1;
using Grpc.Core;

namespace ClusterManager.Daemon.Tests.Cluster;

/// <summary>Three real clusterd processes on loopback: election, replication, failover, restart, quorum loss.</summary>
[NonParallelizable]
public sealed class ClusterServiceTests
{
    private static ApplyChangesRequest PutPrimitive(string requestId, string id, string author = "tester")
    {
        var request = new ApplyChangesRequest { RequestId = requestId, Author = author };
        request.Changes.Add(new Change
        {
            PutResource = new PutElement
            {
                Mode = WriteMode.Create,
                Xml = $"<primitive id=\"{id}\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"><operations><op id=\"{id}-monitor-10s\" name=\"monitor\" interval=\"10s\"/></operations></primitive>",
            },
        });
        return request;
    }

    private static DateTime Deadline() => DateTime.UtcNow.AddSeconds(30);

    private static int Follower(TestCluster cluster, int leader) => Enumerable.Range(0, cluster.Size).First(i => i != leader && cluster.IsRunning(i));

    [Test]
    public async Task GetStatus_AllNodesAgreeOnOneLeader_WhenStarted()
    {
        await using var cluster = TestCluster.Start();

        var leader = await cluster.WaitForLeaderAsync();

        for (var i = 0; i < cluster.Size; i++)
        {
            var status = await cluster.Client(i).GetStatusAsync(new GetStatusRequest(), deadline: Deadline());
            Assert.That(status.LocalNode, Is.EqualTo(TestCluster.NodeName(i)));
            Assert.That(status.Leader, Is.EqualTo(TestCluster.NodeName(leader)));
            Assert.That(status.Members.Select(m => m.Name), Is.EqualTo(new[] { "n1", "n2", "n3" }));
            Assert.That(status.Members.Count(m => m.IsLocal), Is.EqualTo(1));
        }
    }

    [Test]
    public async Task ApplyChanges_VisibleOnAllNodes_WhenSentToFollower()
    {
        await using var cluster = TestCluster.Start();
        var leader = await cluster.WaitForLeaderAsync();
        var follower = Follower(cluster, leader);

        var reply = await cluster.Client(follower).ApplyChangesAsync(PutPrimitive("req-1", "VirtualIP", "alice"), deadline: Deadline());

        Assert.That(reply.Duplicate, Is.False);
        Assert.That(reply.Epoch, Is.EqualTo(1));
        for (var i = 0; i < cluster.Size; i++)
        {
            var config = await cluster.WaitForEpochAsync(i, reply.Epoch);
            Assert.That(config.CibXml, Does.Contain("<primitive id=\"VirtualIP\""), TestCluster.NodeName(i));
            var history = await cluster.Client(i).GetHistoryAsync(new GetHistoryRequest(), deadline: Deadline());
            Assert.That(history.Entries.Select(e => (e.RequestId, e.Author, e.Epoch)), Is.EqualTo(new[] { ("req-1", "alice", 1L) }));
            Assert.That(history.Entries[0].Changes, Is.EqualTo(new[] { "put primitive VirtualIP (ocf:heartbeat:Dummy)" }));
        }
    }

    [Test]
    public async Task ApplyChanges_AppliedOnce_WhenRequestIdRetriedThroughAnotherNode()
    {
        await using var cluster = TestCluster.Start();
        var leader = await cluster.WaitForLeaderAsync();

        var first = await cluster.Client(leader).ApplyChangesAsync(PutPrimitive("req-1", "VirtualIP"), deadline: Deadline());
        var retry = await cluster.Client(Follower(cluster, leader)).ApplyChangesAsync(PutPrimitive("req-1", "VirtualIP"), deadline: Deadline());

        Assert.That(retry.Duplicate, Is.True);
        Assert.That(retry.Epoch, Is.EqualTo(first.Epoch));
        var history = await cluster.Client(leader).GetHistoryAsync(new GetHistoryRequest(), deadline: Deadline());
        Assert.That(history.Entries, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task ApplyChanges_FailedPreconditionNamingTheElement_WhenConstraintNamesMissingResource()
    {
        await using var cluster = TestCluster.Start();
        var leader = await cluster.WaitForLeaderAsync();
        var request = new ApplyChangesRequest { RequestId = "req-1", Author = "tester" };
        request.Changes.Add(new Change { PutConstraint = new PutElement { Xml = "<rsc_order id=\"order-1\" first=\"VirtualIP\" then=\"HAProxy\"/>" } });

        var ex = Assert.ThrowsAsync<RpcException>(async () => await cluster.Client(Follower(cluster, leader)).ApplyChangesAsync(request, deadline: Deadline()));

        Assert.That(ex!.StatusCode, Is.EqualTo(StatusCode.FailedPrecondition));
        Assert.That(ex.Status.Detail, Does.Contain("order-1"));
        var status = await cluster.Client(leader).GetStatusAsync(new GetStatusRequest(), deadline: Deadline());
        Assert.That(status.Epoch, Is.Zero);
    }

    [Test]
    public async Task ApplyChanges_CommitsOnNewLeader_WhenLeaderKilled()
    {
        await using var cluster = TestCluster.Start();
        var leader = await cluster.WaitForLeaderAsync();
        var before = await cluster.Client(leader).ApplyChangesAsync(PutPrimitive("req-1", "Before"), deadline: Deadline());

        cluster.Kill(leader);
        var newLeader = await cluster.WaitForLeaderAsync();
        var after = await cluster.Client(Follower(cluster, newLeader)).ApplyChangesAsync(PutPrimitive("req-2", "After"), deadline: Deadline());

        Assert.That(newLeader, Is.Not.EqualTo(leader));
        Assert.That(after.Epoch, Is.EqualTo(before.Epoch + 1));
        foreach (var i in Enumerable.Range(0, cluster.Size).Where(cluster.IsRunning))
        {
            var config = await cluster.WaitForEpochAsync(i, after.Epoch);
            Assert.That(config.CibXml, Does.Contain("<primitive id=\"Before\"").And.Contain("<primitive id=\"After\""));
        }
    }

    [Test]
    public async Task ApplyChanges_EveryAcknowledgedChangeKept_WhenAllNodesKilledAndRestarted()
    {
        // A small snapshot interval so that the restart restores from snapshots and replays the log after them.
        await using var cluster = TestCluster.Start(extra: new Dictionary<string, object> { ["SnapshotInterval"] = 7 });
        var leader = await cluster.WaitForLeaderAsync();
        var acknowledged = new List<string>();
        for (var n = 0; n < 30; n++)
        {
            var id = $"R{n}";
            await cluster.Client(n % cluster.Size).ApplyChangesAsync(PutPrimitive($"req-{n}", id), deadline: Deadline());
            acknowledged.Add(id);
        }

        for (var i = 0; i < cluster.Size; i++)
        {
            cluster.Kill(i);
        }

        for (var i = 0; i < cluster.Size; i++)
        {
            cluster.StartNode(i);
        }

        await cluster.WaitForLeaderAsync();
        for (var i = 0; i < cluster.Size; i++)
        {
            var config = await cluster.WaitForEpochAsync(i, acknowledged.Count);
            Assert.That(config.Epoch, Is.EqualTo(acknowledged.Count), TestCluster.NodeName(i));
            foreach (var id in acknowledged)
            {
                Assert.That(config.CibXml, Does.Contain($"<primitive id=\"{id}\""), TestCluster.NodeName(i));
            }

            var history = await cluster.Client(i).GetHistoryAsync(new GetHistoryRequest(), deadline: Deadline());
            Assert.That(history.Entries.Select(e => e.RequestId), Is.EqualTo(Enumerable.Range(0, 30).Select(n => $"req-{n}")));
        }

        var again = await cluster.Client(0).ApplyChangesAsync(PutPrimitive("req-5", "R5"), deadline: Deadline());
        Assert.That(again.Duplicate, Is.True);
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task ApplyChanges_UnavailableNoQuorum_WhenTwoOfThreeKilled(bool keepLeader)
    {
        await using var cluster = TestCluster.Start();
        var leader = await cluster.WaitForLeaderAsync();
        var survivor = keepLeader ? leader : Follower(cluster, leader);
        foreach (var i in Enumerable.Range(0, cluster.Size).Where(i => i != survivor))
        {
            cluster.Kill(i);
        }

        // The client deadline is far longer than the daemon's write timeout: the refusal must come from clusterd.
        var ex = Assert.ThrowsAsync<RpcException>(async () =>
            await cluster.Client(survivor).ApplyChangesAsync(PutPrimitive("req-1", "Lonely"), deadline: DateTime.UtcNow.AddSeconds(60)));

        Assert.That(ex!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Assert.That(ex.Status.Detail, Does.StartWith("no quorum"));
        var status = await cluster.Client(survivor).GetStatusAsync(new GetStatusRequest(), deadline: Deadline());
        Assert.That(status.HasQuorum, Is.False);
    }

    [Test]
    public async Task Watch_StreamsStoreEvent_WhenChangeAppliedThroughAnotherNode()
    {
        await using var cluster = TestCluster.Start();
        var leader = await cluster.WaitForLeaderAsync();
        var follower = Follower(cluster, leader);
        using var watch = cluster.Client(follower).Watch(new WatchRequest(), deadline: DateTime.UtcNow.AddSeconds(60));
        Assert.That(await watch.ResponseStream.MoveNext(CancellationToken.None), Is.True);
        var initial = watch.ResponseStream.Current;

        var reply = await cluster.Client(leader).ApplyChangesAsync(PutPrimitive("req-1", "Watched"), deadline: Deadline());

        var seen = new List<WatchEvent>();
        while (await watch.ResponseStream.MoveNext(CancellationToken.None))
        {
            seen.Add(watch.ResponseStream.Current);
            if (watch.ResponseStream.Current.Epoch >= reply.Epoch)
            {
                break;
            }
        }

        Assert.That(initial.Kind, Is.EqualTo("initial"));
        Assert.That(initial.Leader, Is.EqualTo(TestCluster.NodeName(leader)));
        Assert.That(seen[^1].Kind, Is.EqualTo("store"));
        Assert.That(seen[^1].Epoch, Is.EqualTo(reply.Epoch));
    }

    [Test]
    public async Task Watch_StreamsQuorumLoss_WhenOtherNodesKilled()
    {
        await using var cluster = TestCluster.Start();
        var leader = await cluster.WaitForLeaderAsync();
        using var watch = cluster.Client(leader).Watch(new WatchRequest(), deadline: DateTime.UtcNow.AddSeconds(60));
        Assert.That(await watch.ResponseStream.MoveNext(CancellationToken.None), Is.True);
        Assert.That(watch.ResponseStream.Current.HasQuorum, Is.True);

        foreach (var i in Enumerable.Range(0, cluster.Size).Where(i => i != leader))
        {
            cluster.Kill(i);
        }

        var lost = false;
        while (!lost && await watch.ResponseStream.MoveNext(CancellationToken.None))
        {
            lost = watch.ResponseStream.Current is { Kind: "leader", HasQuorum: false };
        }

        Assert.That(lost, Is.True);
    }
}
