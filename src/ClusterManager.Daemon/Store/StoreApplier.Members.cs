using System.Collections.Immutable;
using System.Net;
using ClusterManager.Model.Configuration;
using ClusterManager.Model.Status;

namespace ClusterManager.Daemon.Store;

/// <summary>The membership part of the transition function: the member records of <c>hactl cluster node add|remove</c>.</summary>
public static partial class StoreApplier
{
    private static (ClusterConfiguration, string?) SetMemberChange(ClusterConfiguration config, SetMember set)
    {
        var member = set.Member;
        if (string.IsNullOrWhiteSpace(member.Name) || member.Name.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            return (config, $"member name '{member.Name}' is empty or contains spaces or control characters");
        }

        if (member.State != MemberState.Removed)
        {
            foreach (var (field, value) in new[] { ("raft", member.RaftEndpoint), ("api", member.ApiEndpoint) })
            {
                if (!IPEndPoint.TryParse(value, out var endPoint) || endPoint.Port == 0)
                {
                    return (config, $"member {member.Name}: {field} endpoint '{value}' is not IP:port");
                }
            }

            return (config, null);
        }

        return (config with { Nodes = config.Nodes.RemoveAll(n => n.Name.Value == member.Name) }, null);
    }

    private static ClusterStatus RemoveMemberStatus(ClusterStatus status, SetMember set) =>
        set.Member.State == MemberState.Removed
            ? status with { Nodes = status.Nodes.RemoveAll(n => n.Name.Value == set.Member.Name) }
            : status;

    /// <summary>The member records after a batch: each <see cref="SetMember"/> replaces the record of its name.</summary>
    private static ImmutableList<MemberRecord> MembersAfter(ImmutableList<MemberRecord> members, ImmutableArray<ConfigChange> changes)
    {
        foreach (var set in changes.OfType<SetMember>())
        {
            var at = members.FindIndex(m => m.Name == set.Member.Name);
            members = at >= 0 ? members.SetItem(at, set.Member) : members.Add(set.Member);
        }

        return members;
    }
}
