using System.Collections.Immutable;
using System.Net;
using ClusterManager.Daemon.Options;

namespace ClusterManager.Daemon.Store;

/// <summary>One node as the directory knows it, with where it stands.</summary>
public sealed record DirectoryEntry(NodeAddress Node, MemberState State);

/// <summary>
/// The cluster's nodes: the static node list of clusterd.json overlaid by the member records of the replicated
/// store (a record replaces the static entry of the same name; <see cref="MemberState.Removed"/> hides it). Every
/// node computes the same directory from the same store, whatever its own file says, so a member added or removed
/// while this node's clusterd.json was not updated is still known (or gone) here. Pure.
/// </summary>
public static class MemberDirectory
{
    /// <summary>Every known node in every state (removed ones included), static entries first, in their order.</summary>
    public static IReadOnlyList<DirectoryEntry> Entries(IReadOnlyList<NodeAddress> configured, ImmutableList<MemberRecord> records)
    {
        ArgumentNullException.ThrowIfNull(configured);
        ArgumentNullException.ThrowIfNull(records);
        var result = new List<DirectoryEntry>();
        foreach (var node in configured)
        {
            var record = records.Find(r => r.Name == node.Name);
            result.Add(record is null ? new DirectoryEntry(node, MemberState.Member) : FromRecord(record, node));
        }

        foreach (var record in records.Where(r => configured.All(n => n.Name != r.Name)))
        {
            result.Add(FromRecord(record, null));
        }

        return result;
    }

    /// <summary>The members that count as the cluster's nodes (member or leaving; joining and removed ones do not).</summary>
    public static IReadOnlyList<NodeAddress> Members(IReadOnlyList<NodeAddress> configured, ImmutableList<MemberRecord> records) =>
        [.. Entries(configured, records).Where(e => e.State is MemberState.Member or MemberState.Leaving).Select(e => e.Node)];

    /// <summary>The entry whose Raft endpoint is <paramref name="raftEndPoint"/> (a live one before a removed one).</summary>
    public static DirectoryEntry? ByRaftEndPoint(IReadOnlyList<DirectoryEntry> entries, EndPoint raftEndPoint)
    {
        ArgumentNullException.ThrowIfNull(entries);
        return entries.Where(e => IPEndPoint.TryParse(e.Node.RaftEndpoint, out var ep) && ep.Equals(raftEndPoint))
            .OrderBy(e => e.State == MemberState.Removed ? 1 : 0)
            .FirstOrDefault();
    }

    private static DirectoryEntry FromRecord(MemberRecord record, NodeAddress? configured) => new(
        new NodeAddress
        {
            Name = record.Name,
            RaftEndpoint = record.RaftEndpoint,
            ApiEndpoint = record.ApiEndpoint,

            // A witness stays one while its record names the same endpoint (members added by hactl run resources).
            Witness = configured is { Witness: true } && configured.RaftEndpoint == record.RaftEndpoint,
        },
        record.State);
}
