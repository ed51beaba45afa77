using System.Globalization;
using ClusterManager.Cib;
using ClusterManager.Model;
using ClusterManager.Policy;

namespace ClusterManager.Daemon.Control;

/// <summary>
/// The engine inputs of the transitions this node computed while it led (Pacemaker's <c>pe-input-N.bz2</c>):
/// each snapshot as a CIB document, <c>pe-input-N.xml</c>, the newest <c>limit</c> kept. <c>hactl simulate
/// --replay N</c> (or <c>hactl simulate -x FILE</c>) recomputes a decision from it. Writing is best effort: a full
/// disk must not stop the controller.
/// </summary>
public sealed class EngineInputArchive(string directory, int limit)
{
    private readonly Lock _lock = new();

    public string Directory => directory;

    /// <summary>The highest transition number on disk (0 when none), so numbering continues after a restart.</summary>
    public long LastNumber()
    {
        try
        {
            return System.IO.Directory.Exists(directory)
                ? System.IO.Directory.GetFiles(directory, "pe-input-*.xml")
                    .Select(f => long.TryParse(Path.GetFileNameWithoutExtension(f)["pe-input-".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0)
                    .DefaultIfEmpty(0).Max()
                : 0;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>The transition numbers kept, oldest first.</summary>
    public IReadOnlyList<long> Kept()
    {
        try
        {
            return System.IO.Directory.Exists(directory)
                ? [.. System.IO.Directory.GetFiles(directory, "pe-input-*.xml")
                    .Select(f => long.TryParse(Path.GetFileNameWithoutExtension(f)["pe-input-".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1)
                    .Where(n => n > 0)
                    .Order()]
                : [];
        }
        catch (IOException)
        {
            return [];
        }
    }

    /// <summary>The CIB XML of transition <paramref name="number"/>, or null when it is not kept.</summary>
    public string? Read(long number)
    {
        var path = Path.Combine(directory, $"pe-input-{number.ToString(CultureInfo.InvariantCulture)}.xml");
        try
        {
            return File.Exists(path) ? File.ReadAllText(path) : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Writes the snapshot of transition <paramref name="number"/> and drops the oldest files past the limit.</summary>
    public void Save(long number, ClusterSnapshot snapshot, Transition transition)
    {
        if (limit <= 0)
        {
            return;
        }

        try
        {
            lock (_lock)
            {
                System.IO.Directory.CreateDirectory(directory);
                var path = Path.Combine(directory, $"pe-input-{number.ToString(CultureInfo.InvariantCulture)}.xml");
                var summary = string.Join(", ", transition.Changes.Select(c => $"{c.Kind} {c.Subject}")).Replace("--", "- -", StringComparison.Ordinal);
                File.WriteAllText(path + ".tmp", $"<!-- transition {number}: {transition.Actions.Length} actions; {summary} -->\n{CibWriter.Write(snapshot)}");
                File.Move(path + ".tmp", path, overwrite: true);
                var files = System.IO.Directory.GetFiles(directory, "pe-input-*.xml")
                    .Select(f => (File: f, Number: long.TryParse(Path.GetFileNameWithoutExtension(f)["pe-input-".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1))
                    .OrderBy(f => f.Number)
                    .ToList();
                foreach (var old in files.Take(Math.Max(0, files.Count - limit)))
                {
                    File.Delete(old.File);
                }
            }
        }
        catch (IOException)
        {
            // Best effort.
        }
        catch (UnauthorizedAccessException)
        {
            // Best effort.
        }
    }
}
