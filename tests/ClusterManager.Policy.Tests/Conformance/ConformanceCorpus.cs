using System.Collections.Immutable;
using System.Text;

namespace ClusterManager.Policy.Tests.Conformance;

/// <summary>One scheduler regression case of tests/conformance/pacemaker-2.1.5 (see its README).</summary>
public sealed record ConformanceCase(string Tier, string Name, string Directory, string ExtraArgs)
{
    /// <summary>"core/simple6": the test-case argument and the cache key.</summary>
    public string Key => $"{Tier}/{Name}";

    public string XmlPath => Path.Combine(Directory, Name + ".xml");

    public string SummaryPath => Path.Combine(Directory, Name + ".summary");

    public string PlacementPath => Path.Combine(Directory, Name + ".placement");

    /// <summary>The <c>-t DATE</c> of the manifest's crm_simulate_extra_args, if any.</summary>
    public string? DateArgument
    {
        get
        {
            var args = ExtraArgs.Trim();
            return args.StartsWith("-t ", StringComparison.Ordinal) ? args[3..].Trim().Trim('\'', '"') : null;
        }
    }
}

/// <summary>Finds the corpus and reads its manifests.</summary>
public static class ConformanceCorpus
{
    /// <summary>The tiers and how many cases each holds (tests/conformance/README.md).</summary>
    public static readonly ImmutableArray<(string Tier, int Count)> Tiers = [("core", 183), ("tier2", 213)];

    private static readonly Lazy<string> RootDirectory = new(FindRoot);
    private static readonly Lazy<ImmutableArray<ConformanceCase>> AllCases = new(LoadCases);

    /// <summary>tests/conformance/pacemaker-2.1.5, found by walking up from the test assembly.</summary>
    public static string Root => RootDirectory.Value;

    /// <summary>Every case of every tier, in manifest order.</summary>
    public static ImmutableArray<ConformanceCase> Cases => AllCases.Value;

    /// <summary>The case named "tier/name".</summary>
    public static ConformanceCase Get(string key) =>
        Cases.FirstOrDefault(c => c.Key == key) ?? throw new ArgumentException($"no conformance case '{key}'", nameof(key));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "conformance", "pacemaker-2.1.5");
            if (System.IO.Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"tests/conformance/pacemaker-2.1.5 not found above {AppContext.BaseDirectory}");
    }

    private static ImmutableArray<ConformanceCase> LoadCases()
    {
        var cases = ImmutableArray.CreateBuilder<ConformanceCase>();
        foreach (var (tier, _) in Tiers)
        {
            var directory = Path.Combine(Root, tier);
            var rows = ParseCsv(File.ReadAllText(Path.Combine(directory, "manifest.csv")));
            var header = rows[0];
            var name = header.IndexOf("name");
            var args = header.IndexOf("crm_simulate_extra_args");
            foreach (var row in rows.Skip(1).Where(r => r.Count > name && r[name].Length > 0))
            {
                cases.Add(new ConformanceCase(tier, row[name], directory, args >= 0 && args < row.Count ? row[args] : ""));
            }
        }

        return cases.ToImmutable();
    }

    // RFC 4180: fields separated by commas, optionally quoted with "" as an escaped quote.
    private static List<List<string>> ParseCsv(string text)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }

                continue;
            }

            switch (c)
            {
                case '"':
                    quoted = true;
                    break;
                case ',':
                    row.Add(field.ToString());
                    field.Clear();
                    break;
                case '\n':
                    row.Add(field.ToString().TrimEnd('\r'));
                    field.Clear();
                    rows.Add(row);
                    row = [];
                    break;
                default:
                    field.Append(c);
                    break;
            }
        }

        if (field.Length > 0 || row.Count > 0)
        {
            row.Add(field.ToString());
            rows.Add(row);
        }

        return rows;
    }
}
