using System.Collections.Immutable;
using System.Text.Json;
using ClusterManager.Model;
using ClusterManager.Model.Configuration;

namespace ClusterManager.Daemon.Store;

/// <summary>
/// The fencing changes and the fence history in the store's JSON. A snapshot without "fenceHistory" (written before
/// there was one) reads as an empty history, so the format version stays 1.
/// </summary>
public static partial class StoreCodec
{
    private static bool WriteFencingChange(Utf8JsonWriter w, ConfigChange change)
    {
        switch (change)
        {
            case AddFencingLevel a:
                w.WriteString("op", "addFencingLevel");
                w.WriteString("id", a.Level.Id);
                w.WriteNumber("index", a.Level.Index);
                w.WriteString("target", a.Level.Target?.Value);
                w.WriteString("targetPattern", a.Level.TargetPattern);
                w.WriteString("targetAttribute", a.Level.TargetAttribute);
                w.WriteString("targetValue", a.Level.TargetValue);
                w.WriteStartArray("devices");
                foreach (var device in a.Level.Devices)
                {
                    w.WriteStringValue(device.Value);
                }

                w.WriteEndArray();
                return true;
            case DeleteFencingLevel d:
                w.WriteString("op", "deleteFencingLevel");
                w.WriteString("id", d.Id);
                return true;
            case RecordFence r:
                w.WriteString("op", "recordFence");
                w.WritePropertyName("event");
                WriteFenceEvent(w, r.Event);
                return true;
            case ClearFenceHistory c:
                w.WriteString("op", "clearFenceHistory");
                w.WriteString("node", c.Node?.Value);
                return true;
            default:
                return false;
        }
    }

    private static ConfigChange? ReadFencingChange(string? op, JsonElement e) => op switch
    {
        "addFencingLevel" => new AddFencingLevel(new FencingLevel(
            e.GetProperty("id").GetString()!,
            e.GetProperty("index").GetInt32(),
            e.GetProperty("target").GetString() is { } target ? new NodeName(target) : null,
            e.GetProperty("targetPattern").GetString(),
            e.GetProperty("targetAttribute").GetString(),
            e.GetProperty("targetValue").GetString(),
            [.. e.GetProperty("devices").EnumerateArray().Select(d => new ResourceId(d.GetString()!))])),
        "deleteFencingLevel" => new DeleteFencingLevel(e.GetProperty("id").GetString()!),
        "recordFence" => new RecordFence(ReadFenceEvent(e.GetProperty("event"))),
        "clearFenceHistory" => new ClearFenceHistory(e.GetProperty("node").GetString() is { } node ? new NodeName(node) : null),
        _ => null,
    };

    private static void WriteFenceHistory(Utf8JsonWriter w, ImmutableList<FenceEvent> history)
    {
        w.WriteStartArray("fenceHistory");
        foreach (var e in history)
        {
            WriteFenceEvent(w, e);
        }

        w.WriteEndArray();
    }

    private static ImmutableList<FenceEvent> ReadFenceHistory(JsonElement root) =>
        root.TryGetProperty("fenceHistory", out var history) ? [.. history.EnumerateArray().Select(ReadFenceEvent)] : [];

    private static void WriteFenceEvent(Utf8JsonWriter w, FenceEvent e)
    {
        w.WriteStartObject();
        w.WriteString("target", e.Target.Value);
        w.WriteString("action", e.Action);
        w.WriteBoolean("succeeded", e.Succeeded);
        w.WriteString("executedBy", e.ExecutedBy);
        w.WriteString("origin", e.Origin);
        w.WriteString("client", e.Client);
        w.WriteStartArray("devices");
        foreach (var device in e.Devices.IsDefault ? [] : e.Devices)
        {
            w.WriteStringValue(device);
        }

        w.WriteEndArray();
        w.WriteNumber("completed", e.Completed.ToUnixTimeMilliseconds());
        w.WriteString("detail", e.Detail);
        w.WriteEndObject();
    }

    private static FenceEvent ReadFenceEvent(JsonElement e) => new(
        new NodeName(e.GetProperty("target").GetString()!),
        e.GetProperty("action").GetString()!,
        e.GetProperty("succeeded").GetBoolean(),
        e.GetProperty("executedBy").GetString(),
        e.GetProperty("origin").GetString()!,
        e.GetProperty("client").GetString()!,
        [.. e.GetProperty("devices").EnumerateArray().Select(d => d.GetString()!)],
        DateTimeOffset.FromUnixTimeMilliseconds(e.GetProperty("completed").GetInt64()),
        e.GetProperty("detail").GetString()!);
}
