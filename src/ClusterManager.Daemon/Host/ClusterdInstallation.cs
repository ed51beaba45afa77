using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClusterManager.Daemon.Options;

namespace ClusterManager.Daemon.Host;

/// <summary>What a push would install, or why it cannot be installed.</summary>
internal sealed record InstallPlan(string? Error, bool Conflict, string ClusterdJson, string NodeName)
{
    public static InstallPlan Invalid(string error) => new(error, false, "", "");
}

/// <summary>
/// The cluster configuration the agent installs on its node (pcs cluster setup's corosync.conf and authkeys): in
/// <see cref="HostAgentOptions.ConfigDirectory"/> the files clusterd.json, ca.pem, node.pem, node.key (0600),
/// api-tokens (0600) and cluster-name; clusterd's data in <see cref="HostAgentOptions.ClusterdDataDirectory"/>.
/// The pushed clusterd.json keeps its members, timeouts and settings; the agent writes its own paths into it.
/// </summary>
internal sealed class ClusterdInstallation(HostAgentOptions options)
{
    private static readonly string[] InstalledFiles = ["clusterd.json", "ca.pem", "node.pem", "node.key", "api-tokens", "cluster-name"];

    public string ConfigFile => Path.Combine(options.ConfigDirectory, "clusterd.json");

    public bool Configured => File.Exists(ConfigFile);

    /// <summary>The installed cluster's name and this node's name in it; empty strings when not configured.</summary>
    public (string ClusterName, string NodeName) Describe()
    {
        if (!Configured)
        {
            return ("", "");
        }

        var nameFile = Path.Combine(options.ConfigDirectory, "cluster-name");
        var clusterName = File.Exists(nameFile) ? File.ReadAllText(nameFile).Trim() : "";
        try
        {
            var node = JsonNode.Parse(File.ReadAllText(ConfigFile), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
            return (clusterName, node?["Clusterd"]?["NodeName"]?.GetValue<string>() ?? "");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or IOException)
        {
            return (clusterName, "");
        }
    }

    /// <summary>
    /// Checks a pushed clusterd.json and rewrites its paths to this agent's; <see cref="InstallPlan.Conflict"/> when
    /// the node already has a configuration or clusterd data (refused unless forced).
    /// </summary>
    public InstallPlan Plan(string clusterName, string clusterdJson, bool tls, bool tokens)
    {
        if (string.IsNullOrWhiteSpace(clusterName) || clusterName.Any(char.IsControl))
        {
            return InstallPlan.Invalid("the cluster name is empty or contains control characters");
        }

        JsonObject section;
        JsonObject root;
        try
        {
            root = JsonNode.Parse(clusterdJson, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip }) as JsonObject
                   ?? throw new JsonException("not a JSON object");
            section = root["Clusterd"] as JsonObject ?? throw new JsonException("no \"Clusterd\" section");
        }
        catch (JsonException e)
        {
            return InstallPlan.Invalid($"clusterd.json does not parse: {e.Message}");
        }

        section["DataDirectory"] = options.ClusterdDataDirectory;
        if (string.IsNullOrWhiteSpace(options.ClusterdLogDirectory))
        {
            section.Remove("LogDirectory");
        }
        else
        {
            section["LogDirectory"] = options.ClusterdLogDirectory;
        }

        var security = new JsonObject();
        if (tls)
        {
            security["CaFile"] = Path.Combine(options.ConfigDirectory, "ca.pem");
            security["CertificateFile"] = Path.Combine(options.ConfigDirectory, "node.pem");
            security["KeyFile"] = Path.Combine(options.ConfigDirectory, "node.key");
        }

        if (tokens)
        {
            security["TokenHashesFile"] = Path.Combine(options.ConfigDirectory, "api-tokens");
        }

        section["Security"] = security;
        if (!string.IsNullOrWhiteSpace(options.ClusterdResourceTempDirectory))
        {
            var resources = section["Resources"] as JsonObject ?? [];
            resources["ResourceTempDirectory"] = options.ClusterdResourceTempDirectory;
            section["Resources"] = resources;
        }

        var text = root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
        var parsed = new ClusterdOptions();
        new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(text))).Build()
            .GetSection(ClusterdOptions.Section).Bind(parsed);
        // The TLS and token files are not written yet (the validator checks that they exist); the PEMs are checked
        // by the caller.
        parsed.Security = new SecurityOptions();
        var validation = new ClusterdOptionsValidator().Validate(null, parsed);
        if (validation.Failed)
        {
            return InstallPlan.Invalid($"clusterd.json is not valid: {string.Join("; ", validation.Failures)}");
        }

        var conflict = Configured || HasData();
        return new InstallPlan(null, conflict, text, parsed.NodeName);
    }

    /// <summary>Why a push is refused when the node has a configuration or data; null when it has neither.</summary>
    public string? ConflictDescription()
    {
        if (Configured)
        {
            var (cluster, node) = Describe();
            return $"this node already has a cluster configuration ({ConfigFile}{(cluster.Length > 0 ? $", cluster '{cluster}'" : "")}{(node.Length > 0 ? $", node '{node}'" : "")})";
        }

        return HasData() ? $"clusterd's data directory {options.ClusterdDataDirectory} is not empty (a former cluster's log)" : null;
    }

    /// <summary>Writes the planned configuration (removing clusterd's old data first: a forced push replaces a cluster).</summary>
    public void Install(InstallPlan plan, string clusterName, string caPem, string certificatePem, string keyPem, string tokenHashes)
    {
        RemoveData();
        Directory.CreateDirectory(options.ConfigDirectory);
        foreach (var file in InstalledFiles)
        {
            File.Delete(Path.Combine(options.ConfigDirectory, file));
        }

        if (caPem.Length > 0)
        {
            SecureFile.Write(Path.Combine(options.ConfigDirectory, "ca.pem"), caPem, secret: false);
            SecureFile.Write(Path.Combine(options.ConfigDirectory, "node.pem"), certificatePem, secret: false);
            SecureFile.Write(Path.Combine(options.ConfigDirectory, "node.key"), keyPem, secret: true);
        }

        if (tokenHashes.Length > 0)
        {
            SecureFile.Write(Path.Combine(options.ConfigDirectory, "api-tokens"), tokenHashes, secret: true);
        }

        SecureFile.Write(Path.Combine(options.ConfigDirectory, "cluster-name"), clusterName + "\n", secret: false);

        // Last: its presence means "configured".
        SecureFile.Write(ConfigFile, plan.ClusterdJson, secret: false);
    }

    /// <summary>Removes the installed files and clusterd's data (clusterd must be stopped); returns what was removed.</summary>
    public IReadOnlyList<string> Remove()
    {
        var removed = new List<string>();
        foreach (var file in InstalledFiles.Select(f => Path.Combine(options.ConfigDirectory, f)).Where(File.Exists))
        {
            File.Delete(file);
            removed.Add(file);
        }

        if (HasData())
        {
            removed.Add(options.ClusterdDataDirectory);
        }

        RemoveData();
        return removed;
    }

    private bool HasData() => Directory.Exists(options.ClusterdDataDirectory) && Directory.EnumerateFileSystemEntries(options.ClusterdDataDirectory).Any();

    private void RemoveData()
    {
        if (Directory.Exists(options.ClusterdDataDirectory))
        {
            // The contents, not the directory: it may be a systemd StateDirectory or a mount point.
            foreach (var entry in Directory.EnumerateFileSystemEntries(options.ClusterdDataDirectory))
            {
                if (Directory.Exists(entry) && !File.GetAttributes(entry).HasFlag(FileAttributes.ReparsePoint))
                {
                    Directory.Delete(entry, recursive: true);
                }
                else
                {
                    File.Delete(entry);
                }
            }
        }
    }
}
