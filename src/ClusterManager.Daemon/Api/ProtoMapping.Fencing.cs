using System.Collections.Immutable;
using ClusterManager.Api.V1;
using ClusterManager.Daemon.Store;
using ClusterManager.Model;
using ModelLevel = ClusterManager.Model.Configuration.FencingLevel;

namespace ClusterManager.Daemon.Api;

/// <summary>The fencing changes and fence events at the API boundary.</summary>
internal static partial class ProtoMapping
{
    /// <summary>The client name recorded for a fence a hactl user asked for.</summary>
    public static string ClientOf(string author) => $"hactl:{(string.IsNullOrWhiteSpace(author) ? "unknown" : author)}";

    private static (ConfigChange? Change, string? Error) ToFencingChange(Change change, DateTimeOffset now, string author, string origin)
    {
        switch (change.KindCase)
        {
            case Change.KindOneofCase.AddFencingLevel:
            {
                var l = change.AddFencingLevel;
                return (new AddFencingLevel(new ModelLevel(
                    l.Id,
                    l.Index,
                    l.TargetNode.Length > 0 ? new NodeName(l.TargetNode) : null,
                    l.TargetPattern.Length > 0 ? l.TargetPattern : null,
                    l.TargetAttribute.Length > 0 ? l.TargetAttribute : null,
                    l.TargetAttribute.Length > 0 || l.TargetValue.Length > 0 ? l.TargetValue : null,
                    [.. l.Devices.Select(d => new ResourceId(d))])), null);
            }

            case Change.KindOneofCase.DeleteFencingLevel:
                return string.IsNullOrWhiteSpace(change.DeleteFencingLevel)
                    ? (null, "delete_fencing_level: the id is empty")
                    : (new DeleteFencingLevel(change.DeleteFencingLevel), null);
            case Change.KindOneofCase.ConfirmFenced:
                return string.IsNullOrWhiteSpace(change.ConfirmFenced)
                    ? (null, "confirm_fenced: the node is empty")
                    : (new RecordFence(new Store.FenceEvent(new NodeName(change.ConfirmFenced), "off", true, Store.FenceEvent.ManualDelegate,
                        origin, ClientOf(author), [], now, "manual fence confirmation")), null);
            case Change.KindOneofCase.ClearFenceHistory:
                return (new ClearFenceHistory(change.ClearFenceHistory.HasNode && change.ClearFenceHistory.Node.Length > 0
                    ? new NodeName(change.ClearFenceHistory.Node)
                    : null), null);
            case Change.KindOneofCase.RecordFence:
                return string.IsNullOrWhiteSpace(change.RecordFence.Target)
                    ? (null, "record_fence: the target is empty")
                    : (new RecordFence(FromProto(change.RecordFence)), null);
            default:
                return (null, "the change is empty (no kind set)");
        }
    }

    public static FenceHistoryEntry ToProto(Store.FenceEvent e)
    {
        var proto = new FenceHistoryEntry
        {
            Target = e.Target.Value,
            Action = e.Action,
            Succeeded = e.Succeeded,
            ExecutedBy = e.ExecutedBy ?? "",
            Origin = e.Origin,
            Client = e.Client,
            CompletedUnixMs = e.Completed.ToUnixTimeMilliseconds(),
            Detail = e.Detail,
        };
        proto.Devices.AddRange(e.Devices.IsDefault ? [] : e.Devices);
        return proto;
    }

    public static Store.FenceEvent FromProto(FenceHistoryEntry e) => new(
        new NodeName(e.Target),
        e.Action.Length > 0 ? e.Action : "reboot",
        e.Succeeded,
        e.ExecutedBy.Length > 0 ? e.ExecutedBy : null,
        e.Origin,
        e.Client,
        [.. e.Devices],
        DateTimeOffset.FromUnixTimeMilliseconds(e.CompletedUnixMs),
        e.Detail);

    /// <summary>The fencing levels the batch adds with a node target, for the API's membership check.</summary>
    public static IEnumerable<(string Node, bool Force)> NodeTargets(ApplyChangesRequest request) =>
        request.Changes
            .Where(c => c.KindCase == Change.KindOneofCase.AddFencingLevel && c.AddFencingLevel.TargetNode.Length > 0)
            .Select(c => (c.AddFencingLevel.TargetNode, c.AddFencingLevel.Force));

    /// <summary>The nodes the batch confirms as fenced.</summary>
    public static IEnumerable<string> Confirmations(ApplyChangesRequest request) =>
        request.Changes.Where(c => c.KindCase == Change.KindOneofCase.ConfirmFenced).Select(c => c.ConfirmFenced);

    /// <summary>The devices named by a fencer's success message ("fenced by D", "fenced by level N (D1, D2)").</summary>
    public static ImmutableArray<string> DevicesOf(string detail)
    {
        const string Prefix = "fenced by ";
        if (!detail.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return [];
        }

        var rest = detail[Prefix.Length..];
        if (rest.StartsWith("level ", StringComparison.Ordinal) && rest.IndexOf('(', StringComparison.Ordinal) is var open and > 0 && rest.EndsWith(')'))
        {
            rest = rest[(open + 1)..^1];
        }

        return [.. rest.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
    }
}
