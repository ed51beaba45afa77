using System.Text.Json;
using System.Text.Json.Serialization;

namespace ClusterManager.Cli.Commands.Host;

/// <summary>A host agent hactl authenticated to: where it is, the token it issued, its pinned certificate.</summary>
/// <param name="Address">An IP address (never a name: no DNS lookups).</param>
/// <param name="Port">The agent's port (2224 by default).</param>
/// <param name="Token">The token the agent issued (a secret: the file is mode 0600).</param>
/// <param name="Fingerprint">SHA-256 of the agent's certificate, pinned at the first <c>host auth</c>.</param>
internal sealed record KnownHost(string Address, int Port, string Token, string Fingerprint)
{
    /// <summary><c>IP:PORT</c> (IPv6 in brackets), for messages and URIs.</summary>
    [JsonIgnore]
    public string EndPoint => Address.Contains(':', StringComparison.Ordinal) ? $"[{Address}]:{Port}" : $"{Address}:{Port}";
}

/// <summary>The cluster the last <c>hactl cluster setup</c> from here created: what <c>--all</c> means off the nodes.</summary>
internal sealed record KnownCluster(string Name, IReadOnlyList<string> Nodes, string? Directory);

/// <summary>
/// hactl's known-hosts file (pcs's /var/lib/pcsd/known-hosts): JSON, mode 0600, written atomically. For root
/// <c>/var/lib/clusterd-host/known-hosts</c> (kept by <c>cluster destroy</c>, as pcs keeps its tokens), for other
/// users <c>~/.config/clustermanager/known-hosts</c>; <c>$HACTL_KNOWN_HOSTS</c> overrides both.
/// </summary>
internal sealed record KnownHosts(IReadOnlyDictionary<string, KnownHost> Hosts, KnownCluster? Cluster)
{
    /// <summary>root's file.</summary>
    public const string RootPath = "/var/lib/clusterd-host/known-hosts";

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static KnownHosts Empty { get; } = new(new Dictionary<string, KnownHost>(StringComparer.Ordinal), null);

    /// <summary>Where the file of this hactl lives (see the type's summary).</summary>
    public static string PathFor(HactlHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        if (host.GetVariable("HACTL_KNOWN_HOSTS") is { Length: > 0 } configured)
        {
            return configured;
        }

        if (Environment.UserName == "root")
        {
            return RootPath;
        }

        var home = host.GetVariable("HOME") is { Length: > 0 } h ? h : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return System.IO.Path.Combine(home, ".config", "clustermanager", "known-hosts");
    }

    /// <summary>Reads the file; <see cref="Empty"/> when it does not exist.</summary>
    /// <exception cref="UsageException">The file exists but cannot be read or is not a known-hosts file.</exception>
    public static KnownHosts Load(string path)
    {
        if (!File.Exists(path))
        {
            return Empty;
        }

        try
        {
            var file = JsonSerializer.Deserialize<FileFormat>(File.ReadAllText(path), Json) ?? throw new JsonException("empty");
            return new KnownHosts(
                file.KnownHosts is null ? new Dictionary<string, KnownHost>(StringComparer.Ordinal) : new Dictionary<string, KnownHost>(file.KnownHosts, StringComparer.Ordinal),
                file.Cluster);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or NotSupportedException)
        {
            throw new UsageException($"cannot read the known-hosts file {path}: {e.Message}");
        }
    }

    /// <summary>Writes the file (mode 0600, atomically; its directory is created with mode 0700).</summary>
    public void Save(string path)
    {
        var text = JsonSerializer.Serialize(new FileFormat(1, new SortedDictionary<string, KnownHost>(Hosts.ToDictionary(), StringComparer.Ordinal), Cluster), Json) + "\n";
        PrivateFile.Write(path, text);
    }

    public KnownHosts With(string name, KnownHost host) =>
        this with { Hosts = new Dictionary<string, KnownHost>(Hosts, StringComparer.Ordinal) { [name] = host } };

    public KnownHosts Without(IEnumerable<string> names)
    {
        var hosts = new Dictionary<string, KnownHost>(Hosts, StringComparer.Ordinal);
        foreach (var name in names)
        {
            hosts.Remove(name);
        }

        return this with { Hosts = hosts };
    }

    private sealed record FileFormat(int FormatVersion, IDictionary<string, KnownHost>? KnownHosts, KnownCluster? Cluster);
}

/// <summary>Writes secrets: mode 0600 from creation, atomically (a temporary file renamed over the target).</summary>
internal static class PrivateFile
{
    public static void Write(string path, string text)
    {
        if (OperatingSystem.IsWindows())
        {
            File.WriteAllText(path, text);
            return;
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!Directory.Exists(directory))
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
        using (var stream = new FileStream(temporary, new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        {
            File.SetUnixFileMode(stream.SafeFileHandle, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            using var writer = new StreamWriter(stream);
            writer.Write(text);
        }

        File.Move(temporary, path, overwrite: true);
    }
}
