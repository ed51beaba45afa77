using System.Collections.Immutable;
using ClusterManager.Api.V1;
using ClusterManager.Model;
using ClusterManager.Model.Configuration;
using ClusterManager.Model.Status;
using ClusterManager.Policy;
using Grpc.Core;

namespace ClusterManager.Cli.Client;

/// <summary>
/// The cluster as hactl shows it: membership and quorum (GetStatus, from the leader when it answers, since only the
/// leader sees every member accurately), the configuration and recorded status (GetConfiguration with the status
/// section), and the policy engine's view of where resources run (<c>PolicyEngine.Compute(snapshot).Current</c>).
/// </summary>
internal sealed record LiveCluster(GetStatusResponse Membership, ClusterState State, ClusterSnapshot Snapshot, Transition? Transition, string? EngineError)
{
    /// <summary>Reads membership and state and computes the current view (of a CIB file: its status section, as crm_mon -x).</summary>
    public static async Task<LiveCluster> ReadAsync(IClusterBackend backend, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(backend);
        var membership = await backend.GetStatusAsync(cancellationToken).ConfigureAwait(false);
        if (backend is ClusterClient client)
        {
            membership = await FromLeaderAsync(client, membership, cancellationToken).ConfigureAwait(false);
        }

        var state = await backend.ReadStateAsync(true, cancellationToken).ConfigureAwait(false);
        return From(membership, state);
    }

    /// <summary>
    /// Builds the engine's input as clusterd's controller does: every member is a node; a member that is available
    /// but has no recorded node state yet counts as online; quorum and DC (the leader) from the membership.
    /// </summary>
    public static LiveCluster From(GetStatusResponse membership, ClusterState state)
    {
        ArgumentNullException.ThrowIfNull(membership);
        ArgumentNullException.ThrowIfNull(state);
        var snapshot = state.Snapshot;
        var configuration = snapshot.Configuration;
        var nodes = configuration.Nodes.ToList();
        var statusNodes = snapshot.Status.Nodes.ToList();
        foreach (var member in membership.Members)
        {
            var name = new NodeName(member.Name);
            if (nodes.All(n => n.Name != name))
            {
                nodes.Add(new NodeConfig(member.Name, name, NodeType.Member, null, [], []));
            }

            if (statusNodes.All(n => n.Name != name) && IsAvailable(member))
            {
                statusNodes.Add(new NodeState(member.Name, name, true, true, "member", "member",
                    ImmutableSortedDictionary<string, string>.Empty, []));
            }
        }

        snapshot = snapshot with
        {
            Configuration = configuration with { Nodes = [.. nodes] },
            Status = snapshot.Status with
            {
                Nodes = [.. statusNodes],
                HaveQuorum = membership.HasQuorum,
                DesignatedController = membership.Leader.Length > 0 ? new NodeName(membership.Leader) : null,
            },
        };
        try
        {
            return new LiveCluster(membership, state, snapshot, PolicyEngine.Compute(snapshot), null);
        }
        catch (Exception e) when (e is PolicyInputException or NotImplementedException)
        {
            return new LiveCluster(membership, state, snapshot, null, e.Message);
        }
    }

    /// <summary>Whether the member answers (the leader's view), or is this node or the leader.</summary>
    public static bool IsAvailable(Member member)
    {
        ArgumentNullException.ThrowIfNull(member);
        return member.Status == "available" || member.IsLocal || member.IsLeader;
    }

    /// <summary>The nodes a resource (primitive, or any member/instance of a group or clone) is active on now.</summary>
    public ImmutableArray<NodeName> RunningOn(string resourceId)
    {
        if (Transition is null)
        {
            return [];
        }

        var nodes = new SortedSet<NodeName>();
        foreach (var resource in Transition.Current.Resources)
        {
            Collect(resource, resourceId, inside: false, nodes);
        }

        return [.. nodes];
    }

    private static void Collect(ResourceView view, string id, bool inside, SortedSet<NodeName> nodes)
    {
        var match = inside || view.Id.Value == id || Output.ResourceDisplay.BaseId(view.Id.Value) == id;
        switch (view)
        {
            case PrimitiveView p when match:
                nodes.UnionWith(p.Nodes);
                break;
            case GroupView g:
                foreach (var member in g.Members)
                {
                    Collect(member, id, match, nodes);
                }

                break;
            case CloneView c:
                foreach (var instance in c.Instances)
                {
                    Collect(instance, id, match, nodes);
                }

                break;
        }
    }

    private static async Task<GetStatusResponse> FromLeaderAsync(ClusterClient client, GetStatusResponse local, CancellationToken cancellationToken)
    {
        if (local.Members.Any(m => m.IsLocal && m.IsLeader) || local.Leader.Length == 0)
        {
            return local;
        }

        var leader = local.Members.FirstOrDefault(m => m.Name == local.Leader);
        if (leader is null || leader.ApiEndpoint.Length == 0)
        {
            return local;
        }

        try
        {
            using var toLeader = client.WithAddress(leader.ApiEndpoint, TimeSpan.FromSeconds(3));
            var answer = await toLeader.GetStatusAsync(cancellationToken).ConfigureAwait(false);
            // Keep "local" meaning the node hactl talks to.
            foreach (var member in answer.Members)
            {
                member.IsLocal = member.Name == local.LocalNode;
            }

            answer.LocalNode = local.LocalNode;
            return answer;
        }
        catch (RpcException)
        {
            return local;
        }
    }
}
