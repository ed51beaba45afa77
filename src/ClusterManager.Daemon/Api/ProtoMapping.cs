using System.Collections.Immutable;
using ClusterManager.Api.V1;
using ClusterManager.Daemon.Store;
using ClusterManager.Model;
using V1 = ClusterManager.Api.V1;

namespace ClusterManager.Daemon.Api;

/// <summary>Maps the gRPC messages to the store's model at the API boundary (no proto type goes further in).</summary>
internal static partial class ProtoMapping
{
    /// <summary>The batch, or the errors naming each change that does not parse (change N, element id).</summary>
    public static (ChangeBatch? Batch, ImmutableArray<string> Errors) ToBatch(ApplyChangesRequest request, DateTimeOffset now, string origin = "")
    {
        var author = string.IsNullOrWhiteSpace(request.Author) ? "unknown" : request.Author;
        var timestamp = DateTimeOffset.FromUnixTimeMilliseconds(now.ToUnixTimeMilliseconds());
        var errors = ImmutableArray.CreateBuilder<string>();
        if (string.IsNullOrWhiteSpace(request.RequestId))
        {
            errors.Add("request_id is required (a unique id per logical request, reused on retries)");
        }

        var changes = ImmutableArray.CreateBuilder<ConfigChange>();
        for (var i = 0; i < request.Changes.Count; i++)
        {
            var (change, error) = ToChange(request.Changes[i]);
            if (change is null && error is null)
            {
                (change, error) = ToFencingChange(request.Changes[i], timestamp, author, origin);
            }

            if (error is not null)
            {
                errors.Add($"change {i + 1}: {error}");
            }
            else
            {
                changes.Add(change!);
            }
        }

        if (request.Changes.Count == 0)
        {
            errors.Add("the batch has no changes");
        }

        if (errors.Count > 0)
        {
            return (null, errors.ToImmutable());
        }

        return (new ChangeBatch(request.RequestId, author, timestamp, request.HasExpectedEpoch ? request.ExpectedEpoch : null, changes.ToImmutable()), []);
    }

    private static (ConfigChange? Change, string? Error) ToChange(Change change)
    {
        switch (change.KindCase)
        {
            case Change.KindOneofCase.PutResource:
            {
                var (resource, error) = CibFragments.ParseResource(change.PutResource.Xml);
                return resource is null ? (null, $"put_resource: {error}") : (new PutResource(resource, ToMode(change.PutResource.Mode)), null);
            }

            case Change.KindOneofCase.PutConstraint:
            {
                var (constraint, error) = CibFragments.ParseConstraint(change.PutConstraint.Xml);
                return constraint is null ? (null, $"put_constraint: {error}") : (new PutConstraint(constraint, ToMode(change.PutConstraint.Mode)), null);
            }

            case Change.KindOneofCase.DeleteResource:
                return string.IsNullOrWhiteSpace(change.DeleteResource)
                    ? (null, "delete_resource: the id is empty")
                    : (new DeleteResource(new ResourceId(change.DeleteResource)), null);
            case Change.KindOneofCase.DeleteConstraint:
                return string.IsNullOrWhiteSpace(change.DeleteConstraint)
                    ? (null, "delete_constraint: the id is empty")
                    : (new DeleteConstraint(change.DeleteConstraint), null);
            case Change.KindOneofCase.SetProperty:
                return (new SetOption(OptionScope.ClusterProperty, change.SetProperty.Name, change.SetProperty.HasValue ? change.SetProperty.Value : null), null);
            case Change.KindOneofCase.SetResourceDefault:
                return (new SetOption(OptionScope.ResourceDefault, change.SetResourceDefault.Name, change.SetResourceDefault.HasValue ? change.SetResourceDefault.Value : null), null);
            case Change.KindOneofCase.SetOperationDefault:
                return (new SetOption(OptionScope.OperationDefault, change.SetOperationDefault.Name, change.SetOperationDefault.HasValue ? change.SetOperationDefault.Value : null), null);
            case Change.KindOneofCase.SetNodeAttribute:
            {
                var a = change.SetNodeAttribute;
                return (new SetNodeAttribute(new NodeName(a.Node), a.Name, a.HasValue ? a.Value : null), null);
            }

            case Change.KindOneofCase.ClearResourceHistory:
            {
                var c = change.ClearResourceHistory;
                return string.IsNullOrWhiteSpace(c.Resource)
                    ? (null, "clear_resource_history: the resource id is empty")
                    : (new Store.ClearResourceHistory(c.HasNode && c.Node.Length > 0 ? new NodeName(c.Node) : null, new ResourceId(c.Resource)), null);
            }

            default:
                return (null, null);
        }
    }

    private static Store.WriteMode ToMode(V1.WriteMode mode) => mode switch
    {
        V1.WriteMode.Create => Store.WriteMode.Create,
        V1.WriteMode.Replace => Store.WriteMode.Replace,
        _ => Store.WriteMode.Upsert,
    };

    public static V1.HistoryEntry ToProto(Store.HistoryEntry entry)
    {
        var proto = new V1.HistoryEntry
        {
            Epoch = entry.Epoch,
            Index = entry.Index,
            RequestId = entry.RequestId,
            Author = entry.Author,
            TimestampUnixMs = entry.Timestamp.ToUnixTimeMilliseconds(),
        };
        proto.Changes.AddRange(entry.Changes);
        return proto;
    }
}
