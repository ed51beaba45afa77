using System.Collections.Immutable;
using System.Text.Json;

namespace ClusterManager.Daemon.Store;

/// <summary>
/// The member records in the store's JSON. A snapshot without "members" (written before there were any) reads as
/// no records, so the format version stays 1.
/// </summary>
public static partial class StoreCodec
{
    private static bool WriteMemberChange(Utf8JsonWriter w, ConfigChange change)
    {
        if (change is not SetMember set)
        {
            return false;
        }

        w.WriteString("op", "setMember");
        w.WritePropertyName("member");
        WriteMember(w, set.Member);
        return true;
    }

    private static SetMember? ReadMemberChange(string? op, JsonElement e) =>
        op == "setMember" ? new SetMember(ReadMember(e.GetProperty("member"))) : null;

    private static void WriteMembers(Utf8JsonWriter w, ImmutableList<MemberRecord> members)
    {
        w.WriteStartArray("members");
        foreach (var member in members)
        {
            WriteMember(w, member);
        }

        w.WriteEndArray();
    }

    private static ImmutableList<MemberRecord> ReadMembers(JsonElement root) =>
        root.TryGetProperty("members", out var members) ? [.. members.EnumerateArray().Select(ReadMember)] : [];

    private static void WriteMember(Utf8JsonWriter w, MemberRecord member)
    {
        w.WriteStartObject();
        w.WriteString("name", member.Name);
        w.WriteString("raft", member.RaftEndpoint);
        w.WriteString("api", member.ApiEndpoint);
        w.WriteString("state", member.State.ToString());
        w.WriteEndObject();
    }

    private static MemberRecord ReadMember(JsonElement e) => new(
        e.GetProperty("name").GetString()!,
        e.GetProperty("raft").GetString()!,
        e.GetProperty("api").GetString()!,
        Enum.Parse<MemberState>(e.GetProperty("state").GetString()!));
}
