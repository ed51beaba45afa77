using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace ClusterManager.Benchmarks.Scheduler;

/// <summary>
/// Optional store of crm_simulate timings (<c>--crm-cache FILE</c>, JSON lines), so that re-running the matrix after
/// an engine change does not spend half an hour re-timing Pacemaker on identical CIBs. An entry is reused only for
/// the same generator version, crm_simulate version, size, scenario, seed and timeout.
/// </summary>
public sealed class CrmCache(string path)
{
    /// <summary>Bump when the generated CIB changes, so cached timings of older CIBs are not reused.</summary>
    public const int GeneratorVersion = 1;

    private sealed record Entry(string Key, CrmRun Run);

    public static string Key(string crmVersion, CellResult cell, int seed, int stickiness, TimeSpan timeout) =>
        string.Join('|', GeneratorVersion.ToString(CultureInfo.InvariantCulture), crmVersion,
            cell.Nodes.ToString(CultureInfo.InvariantCulture), cell.Resources.ToString(CultureInfo.InvariantCulture),
            cell.Constraints.ToString(CultureInfo.InvariantCulture), cell.Scenario, seed.ToString(CultureInfo.InvariantCulture),
            ((int)timeout.TotalSeconds).ToString(CultureInfo.InvariantCulture))
        + (stickiness != 0 ? $"|stickiness={stickiness.ToString(CultureInfo.InvariantCulture)}" : "");

    public CrmRun? Find(string key)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        CrmRun? found = null;
        foreach (var line in File.ReadLines(path))
        {
            if (line.Length > 0 && JsonSerializer.Deserialize<Entry>(line) is { } entry && entry.Key == key)
            {
                found = entry.Run;
            }
        }

        return found;
    }

    public void Add(string key, CrmRun run)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        File.AppendAllText(path, JsonSerializer.Serialize(new Entry(key, run)) + "\n");
    }

    /// <summary>The first line of <c>crm_simulate --version</c> ("Pacemaker 2.1.5").</summary>
    public static string Version(string exe)
    {
        var start = new ProcessStartInfo(exe, "--version") { RedirectStandardOutput = true, UseShellExecute = false };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {exe}");
        var first = process.StandardOutput.ReadLine() ?? "unknown";
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return first.Trim();
    }
}
