using System.Collections.Immutable;

namespace ClusterManager.Agents.Ocf;

/// <summary>
/// What is installed, for <c>resource standards/providers/agents/describe</c>: the OCF providers under
/// <c>{OCF_ROOT}/resource.d</c> plus the native agents, whose meta-data this process supplies itself.
/// </summary>
public sealed class OcfAgentCatalog(OcfOptions options, IReadOnlyDictionary<string, IReadOnlyList<string>> nativeAgents)
{
    /// <summary>The classes this executor runs.</summary>
    public static ImmutableArray<string> Standards { get; } = [ResourceAgentName.OcfClass, ResourceAgentName.SystemdClass];

    /// <summary>OCF providers, sorted ordinally.</summary>
    public ImmutableArray<string> Providers()
    {
        var dir = Path.Combine(options.OcfRoot, "resource.d");
        var found = Directory.Exists(dir)
            ? Directory.EnumerateDirectories(dir).Select(Path.GetFileName).OfType<string>()
            : [];
        return [.. found.Concat(nativeAgents.Keys).Distinct().Order(StringComparer.Ordinal)];
    }

    /// <summary>The agent types of one provider (executables, plus native agents), sorted ordinally.</summary>
    public ImmutableArray<string> Agents(string provider)
    {
        var dir = Path.Combine(options.OcfRoot, "resource.d", provider);
        var found = Directory.Exists(dir)
            ? Directory.EnumerateFiles(dir)
                .Where(f => !OperatingSystem.IsWindows() && (File.GetUnixFileMode(f) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0)
                .Select(Path.GetFileName).OfType<string>()
            : [];
        var native = nativeAgents.TryGetValue(provider, out var list) ? list : [];
        return [.. found.Concat(native).Distinct().Order(StringComparer.Ordinal)];
    }
}
