using ClusterManager.Api.V1;
using ClusterManager.Daemon.Tests.Control;
using Grpc.Core;

namespace ClusterManager.Daemon.Tests.Cluster;

/// <summary>
/// Membership changes (hactl cluster node add|remove) on real clusterd processes: a fourth node added to three
/// catches up and serves; the leader can be removed; names and membership survive a restart of every node (the
/// other nodes' files are never updated here: they learn the new member from the store); the refusals.
/// </summary>
[NonParallelizable]
public sealed class MembershipTests
{
    private static DateTime Deadline(int seconds = 30) => DateTime.UtcNow.AddSeconds(seconds);

    private static ApplyChangesRequest Put(string id)
    {
        var request = new ApplyChangesRequest { RequestId = Guid.NewGuid().ToString("N"), Author = "tester" };
        request.Changes.Add(new Change
        {
            PutResource = new PutElement { Mode = WriteMode.Create, Xml = $"<primitive id=\"{id}\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\" />" },
        });
        request.Changes.Add(new Change { SetProperty = new NameValue { Name = "stonith-enabled", Value = "false" } });
        return request;
    }

    private static AddMemberRequest Record(TestCluster cluster, int i) => new()
    {
        Name = TestCluster.NodeName(i),
        RaftEndpoint = cluster.RaftEndpoint(i),
        ApiEndpoint = cluster.ApiEndpoints[i],
        RecordOnly = true,
        Author = "tester",
    };

    /// <summary>Records spare <paramref name="spare"/> through a follower, starts it, and waits until all running nodes agree (it asks to be added itself).</summary>
    private static async Task<int> AddAsync(TestCluster cluster, int spare)
    {
        var leader = await cluster.WaitForLeaderAsync();
        var follower = Enumerable.Range(0, cluster.Size).First(i => i != leader && i != spare && cluster.IsRunning(i));
        var recorded = await cluster.Members(follower).AddMemberAsync(Record(cluster, spare), deadline: Deadline());
        Assert.That(recorded.Message, Does.Contain($"node {TestCluster.NodeName(spare)} recorded"));
        cluster.StartNode(spare);
        return await cluster.WaitForLeaderAsync();
    }

    /// <summary>Waits until node <paramref name="i"/> (the leader) sees <paramref name="name"/> as unavailable.</summary>
    private static async Task WaitUnavailableAsync(TestCluster cluster, int i, string name)
    {
        var deadline = Deadline();
        while ((await cluster.Members(i).ListMembersAsync(new ListMembersRequest(), deadline: Deadline())).Members.Single(m => m.Name == name).Status != "unavailable")
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), $"{name} still not seen unavailable");
            await Task.Delay(50);
        }
    }

    private static async Task<List<ClusterMember>> VotingAsync(TestCluster cluster, int i) =>
        [.. (await cluster.Members(i).ListMembersAsync(new ListMembersRequest(), deadline: Deadline())).Members.Where(m => m.Voting)];

    [Test]
    public async Task AddMember_FourthNodeCatchesUpAndServes_AndFourElectAfterLeaderKill()
    {
        await using var cluster = TestCluster.StartWithSpares(3, 1);
        var leader = await cluster.WaitForLeaderAsync();
        var before = await cluster.Client(leader).ApplyChangesAsync(Put("before"), deadline: Deadline());

        leader = await AddAsync(cluster, 3);
        var caughtUp = await cluster.WaitForEpochAsync(3, before.Epoch);
        var written = await cluster.Client(3).ApplyChangesAsync(Put("through-n4"), deadline: Deadline());
        var onN1 = await cluster.WaitForEpochAsync(0, written.Epoch);
        var status = await cluster.Client(0).GetStatusAsync(new GetStatusRequest(), deadline: Deadline());
        var members = await cluster.Members(1).ListMembersAsync(new ListMembersRequest(), deadline: Deadline());
        cluster.Kill(leader);
        var next = await cluster.WaitForLeaderAsync();
        var after = await cluster.Client(next).ApplyChangesAsync(Put("after-kill"), deadline: Deadline());

        Assert.That(caughtUp.CibXml, Does.Contain("<primitive id=\"before\""));
        Assert.That(onN1.CibXml, Does.Contain("<primitive id=\"through-n4\""));
        Assert.That(status.Members.Select(m => (m.Name, m.ApiEndpoint)), Is.EqualTo(Enumerable.Range(0, 4).Select(i => (TestCluster.NodeName(i), cluster.ApiEndpoints[i]))));
        Assert.That(members.Members.Select(m => (m.Name, m.State, m.Voting, m.Configured)),
            Is.EqualTo(new[] { ("n1", "member", true, true), ("n2", "member", true, true), ("n3", "member", true, true), ("n4", "member", true, false) }));
        Assert.That(next, Is.Not.EqualTo(leader));
        Assert.That(after.Epoch, Is.GreaterThan(written.Epoch));
    }

    [Test]
    public async Task RemoveMember_OthersKeepQuorum_WhenTheLeaderIsRemoved_AndRestartKeepsMembershipAndNames()
    {
        await using var cluster = TestCluster.StartWithSpares(3, 1);
        await AddAsync(cluster, 3);
        var leader = await cluster.WaitForLeaderAsync();
        var follower = Enumerable.Range(0, 4).First(i => i != leader);
        var doomed = TestCluster.NodeName(leader);

        var removed = await cluster.Members(follower).RemoveMemberAsync(new RemoveMemberRequest { Name = doomed, Author = "tester" }, deadline: Deadline(90));
        cluster.Kill(leader);
        var next = await cluster.WaitForLeaderAsync();
        var write = await cluster.Client(next).ApplyChangesAsync(Put("after-removal"), deadline: Deadline());
        var voting = await VotingAsync(cluster, next);
        for (var i = 0; i < 4; i++)
        {
            cluster.Kill(i);
        }

        for (var i = 0; i < 4; i++)
        {
            if (i != leader)
            {
                cluster.StartNode(i);
            }
        }

        var restarted = await cluster.WaitForLeaderAsync();
        var status = await cluster.Client(restarted).GetStatusAsync(new GetStatusRequest(), deadline: Deadline());
        var config = await cluster.WaitForEpochAsync(restarted, write.Epoch);

        var rest = Enumerable.Range(0, 4).Where(i => i != leader).Select(TestCluster.NodeName).ToList();
        Assert.That(removed.Message, Does.Contain($"node {doomed} removed"));
        Assert.That(voting.Select(m => m.Name), Is.EqualTo(rest));
        Assert.That(status.Members.Select(m => m.Name), Is.EqualTo(rest), "names after a restart (n4 only from the store)");
        Assert.That(status.HasQuorum, Is.True);
        Assert.That(config.CibXml, Does.Contain("<primitive id=\"after-removal\""));
    }

    [Test]
    public async Task RemoveMember_MovesResourcesAwayFirst_WhenTheNodeRunsThem()
    {
        await using var cluster = ControllerClusterTests.StartCluster();
        var leader = await cluster.WaitForLeaderAsync();
        await ControllerClusterTests.ApplyAsync(cluster, leader, ControllerClusterTests.Property("stonith-enabled", "false"), ControllerClusterTests.Primitive("d1"));
        await ControllerClusterTests.WaitAsync(cluster, "d1", r => r.Count == 1, "d1 to start");
        var host = ControllerClusterTests.RunningOn(cluster, "d1")[0];
        var asker = Enumerable.Range(0, 3).First(i => i != host);

        var removed = await cluster.Members(asker).RemoveMemberAsync(new RemoveMemberRequest { Name = TestCluster.NodeName(host), Author = "tester" }, deadline: Deadline(90));
        var stoppedThere = !File.Exists(ControllerClusterTests.StateFile(cluster, host, "d1"));
        await ControllerClusterTests.WaitAsync(cluster, "d1", r => r.Count == 1 && r[0] != host, "d1 to run on a remaining node");
        var history = await cluster.Client(asker).GetHistoryAsync(new GetHistoryRequest(), deadline: Deadline());

        Assert.That(removed.Message, Does.Contain("removed"));
        Assert.That(stoppedThere, Is.True, "d1 was stopped on the node before it was removed");
        Assert.That(history.Entries.SelectMany(e => e.Changes), Does.Contain($"member {TestCluster.NodeName(host)} leaving (resources move away)")
            .And.Contain($"member {TestCluster.NodeName(host)} removed"));
    }

    [Test]
    public async Task MembershipChanges_AreRefusedWithClearErrors()
    {
        await using var cluster = TestCluster.StartWithSpares(3, 1);
        var leader = await cluster.WaitForLeaderAsync();
        var follower = Enumerable.Range(0, 3).First(i => i != leader);
        var other = Enumerable.Range(0, 3).First(i => i != leader && i != follower);
        var members = cluster.Members(follower);

        var existing = Assert.ThrowsAsync<RpcException>(async () => await members.AddMemberAsync(Record(cluster, 0), deadline: Deadline()));
        var duplicate = Assert.ThrowsAsync<RpcException>(async () => await members.AddMemberAsync(Record(cluster, 3).WithApi(cluster.ApiEndpoints[1]), deadline: Deadline()));
        var notIp = Assert.ThrowsAsync<RpcException>(async () => await members.AddMemberAsync(Record(cluster, 3).WithApi("node4.example:7401"), deadline: Deadline()));
        var unknown = Assert.ThrowsAsync<RpcException>(async () => await members.RemoveMemberAsync(new RemoveMemberRequest { Name = "n9" }, deadline: Deadline()));
        var announce = Assert.ThrowsAsync<RpcException>(async () => await members.AddMemberAsync(new AddMemberRequest
        {
            Name = "n4", RaftEndpoint = cluster.RaftEndpoint(3), ApiEndpoint = cluster.ApiEndpoints[3], Announce = true,
        }, deadline: Deadline()));
        cluster.Kill(other);
        await WaitUnavailableAsync(cluster, leader, TestCluster.NodeName(other));
        var noMajority = Assert.ThrowsAsync<RpcException>(async () => await members.RemoveMemberAsync(new RemoveMemberRequest { Name = TestCluster.NodeName(leader) }, deadline: Deadline(60)));
        cluster.Kill(leader);
        var noQuorum = Assert.ThrowsAsync<RpcException>(async () => await members.AddMemberAsync(Record(cluster, 3), deadline: Deadline(20)));
        var stillThree = await VotingAsync(cluster, follower);

        Assert.That((existing!.StatusCode, existing.Status.Detail), Is.EqualTo((StatusCode.AlreadyExists, $"node n1 is already a member (raft {cluster.RaftEndpoint(0)}, api {cluster.ApiEndpoints[0]})")));
        Assert.That((duplicate!.StatusCode, duplicate.Status.Detail), Is.EqualTo((StatusCode.FailedPrecondition, $"address {cluster.ApiEndpoints[1]} is already used by node n2")));
        Assert.That(notIp!.StatusCode, Is.EqualTo(StatusCode.InvalidArgument));
        Assert.That(notIp.Status.Detail, Does.Contain("'node4.example:7401' is not IP:port"));
        Assert.That(unknown!.StatusCode, Is.EqualTo(StatusCode.NotFound));
        Assert.That(unknown.Status.Detail, Is.EqualTo("node n9 is not a member of the cluster (members: n1, n2, n3)"));
        Assert.That(announce!.StatusCode, Is.EqualTo(StatusCode.FailedPrecondition));
        Assert.That(announce.Status.Detail, Does.Contain("was not recorded as joining"));
        Assert.That(noMajority!.StatusCode, Is.EqualTo(StatusCode.FailedPrecondition));
        Assert.That(noMajority.Status.Detail, Does.Contain("of which only 1 answer").And.Contain("no quorum"));
        Assert.That(noQuorum!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Assert.That(noQuorum.Status.Detail, Does.StartWith("no quorum"));
        Assert.That(stillThree, Has.Count.EqualTo(3));
    }
}

/// <summary>Test shorthands for the membership requests.</summary>
internal static class MembershipRequestExtensions
{
    public static AddMemberRequest WithApi(this AddMemberRequest request, string api)
    {
        var copy = request.Clone();
        copy.ApiEndpoint = api;
        return copy;
    }
}
