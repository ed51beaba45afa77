using System.Buffers;
using System.Collections.Immutable;
using System.Text.Json;
using ClusterManager.Model;

namespace ClusterManager.Daemon.Store;

/// <summary>
/// The byte formats of the store: a <see cref="ChangeBatch"/> as a Raft log entry, and a <see cref="StoreState"/>
/// as a snapshot. Both are JSON with the configuration elements as CIB XML (see <see cref="CibFragments"/>):
/// readable with standard tools, and the CIB format is already the project's interchange format for a
/// configuration. Field "v" is the format version; a reader refuses a version it does not know.
/// </summary>
public static partial class StoreCodec
{
    private const int Version = 1;

    public static byte[] EncodeBatch(ChangeBatch batch)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("v", Version);
            w.WriteString("requestId", batch.RequestId);
            w.WriteString("author", batch.Author);
            w.WriteNumber("ts", batch.Timestamp.ToUnixTimeMilliseconds());
            if (batch.ExpectedEpoch is { } expected)
            {
                w.WriteNumber("expectedEpoch", expected);
            }

            w.WriteStartArray("changes");
            foreach (var change in batch.Changes)
            {
                WriteChange(w, change);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <exception cref="FormatException">The bytes are not a batch this codec wrote.</exception>
    public static ChangeBatch DecodeBatch(ReadOnlySpan<byte> bytes)
    {
        using var doc = JsonDocument.Parse(bytes.ToArray());
        var root = doc.RootElement;
        CheckVersion(root);
        var changes = root.GetProperty("changes").EnumerateArray().Select(ReadChange).ToImmutableArray();
        return new ChangeBatch(
            root.GetProperty("requestId").GetString()!,
            root.GetProperty("author").GetString()!,
            DateTimeOffset.FromUnixTimeMilliseconds(root.GetProperty("ts").GetInt64()),
            root.TryGetProperty("expectedEpoch", out var e) ? e.GetInt64() : null,
            changes);
    }

    public static byte[] EncodeState(StoreState state)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("v", Version);
            w.WriteNumber("index", state.Index);
            w.WriteNumber("epoch", state.Epoch);
            w.WriteString("cib", CibFragments.WriteCib(state.Configuration, state.Status, state.Epoch));
            w.WriteStartArray("requests");
            foreach (var id in state.RequestOrder)
            {
                w.WriteStartArray();
                w.WriteStringValue(id);
                w.WriteNumberValue(state.AppliedRequests[id]);
                w.WriteEndArray();
            }

            w.WriteEndArray();
            w.WriteStartArray("history");
            foreach (var h in state.History)
            {
                w.WriteStartObject();
                w.WriteNumber("epoch", h.Epoch);
                w.WriteNumber("index", h.Index);
                w.WriteString("requestId", h.RequestId);
                w.WriteString("author", h.Author);
                w.WriteNumber("ts", h.Timestamp.ToUnixTimeMilliseconds());
                w.WriteStartArray("changes");
                foreach (var c in h.Changes)
                {
                    w.WriteStringValue(c);
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            WriteFenceHistory(w, state.FenceHistory);
            WriteMembers(w, state.Members);
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <exception cref="FormatException">The bytes are not a snapshot this codec wrote.</exception>
    public static StoreState DecodeState(ReadOnlySpan<byte> bytes)
    {
        using var doc = JsonDocument.Parse(bytes.ToArray());
        var root = doc.RootElement;
        CheckVersion(root);
        var requests = ImmutableDictionary.CreateBuilder<string, long>(StringComparer.Ordinal);
        var order = ImmutableList.CreateBuilder<string>();
        foreach (var pair in root.GetProperty("requests").EnumerateArray())
        {
            var id = pair[0].GetString()!;
            requests[id] = pair[1].GetInt64();
            order.Add(id);
        }

        var history = root.GetProperty("history").EnumerateArray().Select(h => new HistoryEntry(
            h.GetProperty("epoch").GetInt64(),
            h.GetProperty("index").GetInt64(),
            h.GetProperty("requestId").GetString()!,
            h.GetProperty("author").GetString()!,
            DateTimeOffset.FromUnixTimeMilliseconds(h.GetProperty("ts").GetInt64()),
            [.. h.GetProperty("changes").EnumerateArray().Select(c => c.GetString()!)]));
        var (configuration, status) = CibFragments.ReadCib(root.GetProperty("cib").GetString()!);
        return new StoreState(
            root.GetProperty("index").GetInt64(),
            root.GetProperty("epoch").GetInt64(),
            configuration,
            requests.ToImmutable(),
            order.ToImmutable(),
            [.. history],
            status)
        {
            FenceHistory = ReadFenceHistory(root),
            Members = ReadMembers(root),
        };
    }

    private static void CheckVersion(JsonElement root)
    {
        var v = root.GetProperty("v").GetInt32();
        if (v != Version)
        {
            throw new FormatException($"store format version {v} is not supported (this build reads version {Version})");
        }
    }

    private static void WriteChange(Utf8JsonWriter w, ConfigChange change)
    {
        w.WriteStartObject();
        switch (change)
        {
            case PutResource p:
                w.WriteString("op", "putResource");
                w.WriteString("mode", p.Mode.ToString());
                w.WriteString("xml", CibFragments.WriteResource(p.Resource));
                break;
            case DeleteResource d:
                w.WriteString("op", "deleteResource");
                w.WriteString("id", d.Id.Value);
                break;
            case PutConstraint p:
                w.WriteString("op", "putConstraint");
                w.WriteString("mode", p.Mode.ToString());
                w.WriteString("xml", CibFragments.WriteConstraint(p.Constraint));
                break;
            case DeleteConstraint d:
                w.WriteString("op", "deleteConstraint");
                w.WriteString("id", d.Id);
                break;
            case SetOption o:
                w.WriteString("op", "setOption");
                w.WriteString("scope", o.Scope.ToString());
                w.WriteString("name", o.Name);
                w.WriteString("value", o.Value);
                break;
            case SetNodeAttribute a:
                w.WriteString("op", "setNodeAttribute");
                w.WriteString("node", a.Node.Value);
                w.WriteString("name", a.Name);
                w.WriteString("value", a.Value);
                break;
            case RecordOperation r:
                w.WriteString("op", "recordOperation");
                w.WriteString("xml", CibFragments.WriteOperation(r.Node, r.Resource, r.Operation));
                break;
            case ClearResourceHistory c:
                w.WriteString("op", "clearResourceHistory");
                w.WriteString("node", c.Node?.Value);
                w.WriteString("id", c.Resource.Value);
                break;
            case SetNodeState n:
                w.WriteString("op", "setNodeState");
                w.WriteString("node", n.Node.Value);
                w.WriteBoolean("inCluster", n.InCluster);
                w.WriteString("join", n.Join);
                w.WriteString("expected", n.Expected);
                w.WriteBoolean("clearHistory", n.ClearHistory);
                break;
            case SetTransientAttribute a:
                w.WriteString("op", "setTransientAttribute");
                w.WriteString("node", a.Node.Value);
                w.WriteString("name", a.Name);
                w.WriteString("value", a.Value);
                break;
            default:
                if (!WriteFencingChange(w, change) && !WriteMemberChange(w, change))
                {
                    throw new ArgumentException($"unsupported change {change.GetType().Name}", nameof(change));
                }

                break;
        }

        w.WriteEndObject();
    }

    private static ConfigChange ReadChange(JsonElement e)
    {
        var op = e.GetProperty("op").GetString();
        return op switch
        {
            "putResource" => new PutResource(
                CibFragments.ParseResource(e.GetProperty("xml").GetString()!) is ({ } r, null) ? r : throw new FormatException("bad resource in log entry"),
                Enum.Parse<WriteMode>(e.GetProperty("mode").GetString()!)),
            "deleteResource" => new DeleteResource(new ResourceId(e.GetProperty("id").GetString()!)),
            "putConstraint" => new PutConstraint(
                CibFragments.ParseConstraint(e.GetProperty("xml").GetString()!) is ({ } c, null) ? c : throw new FormatException("bad constraint in log entry"),
                Enum.Parse<WriteMode>(e.GetProperty("mode").GetString()!)),
            "deleteConstraint" => new DeleteConstraint(e.GetProperty("id").GetString()!),
            "setOption" => new SetOption(
                Enum.Parse<OptionScope>(e.GetProperty("scope").GetString()!),
                e.GetProperty("name").GetString()!,
                e.GetProperty("value").GetString()),
            "setNodeAttribute" => new SetNodeAttribute(
                new NodeName(e.GetProperty("node").GetString()!),
                e.GetProperty("name").GetString()!,
                e.GetProperty("value").GetString()),
            "recordOperation" => CibFragments.ParseOperation(e.GetProperty("xml").GetString()!) is { } r
                ? new RecordOperation(r.Node, r.Resource, r.Operation)
                : throw new FormatException("bad operation record in log entry"),
            "clearResourceHistory" => new ClearResourceHistory(
                e.GetProperty("node").GetString() is { } node ? new NodeName(node) : null,
                new ResourceId(e.GetProperty("id").GetString()!)),
            "setNodeState" => new SetNodeState(
                new NodeName(e.GetProperty("node").GetString()!),
                e.GetProperty("inCluster").GetBoolean(),
                e.GetProperty("join").GetString()!,
                e.GetProperty("expected").GetString()!,
                e.GetProperty("clearHistory").GetBoolean()),
            "setTransientAttribute" => new SetTransientAttribute(
                new NodeName(e.GetProperty("node").GetString()!),
                e.GetProperty("name").GetString()!,
                e.GetProperty("value").GetString()),
            _ => ReadFencingChange(op, e) ?? ReadMemberChange(op, e) ?? throw new FormatException($"unknown change '{op}' in log entry"),
        };
    }
}
