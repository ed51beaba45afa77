namespace ClusterManager.Cib.Tests;

/// <summary>The in-repo copy of Pacemaker 2.1.5's scheduler regression inputs (tests/conformance/pacemaker-2.1.5).</summary>
internal static class Corpus
{
    public static readonly DateTimeOffset DefaultNow = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static string Root
    {
        get
        {
            var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ClusterManager.sln")))
            {
                dir = dir.Parent;
            }

            if (dir is null)
            {
                throw new InvalidOperationException($"no ClusterManager.sln above {TestContext.CurrentContext.TestDirectory}");
            }

            return Path.Combine(dir.FullName, "tests", "conformance", "pacemaker-2.1.5");
        }
    }

    /// <summary>Relative names (tier/case.xml) of every corpus input, for test-case sources.</summary>
    public static IEnumerable<string> Files()
    {
        var root = Root;
        return Directory.EnumerateFiles(root, "*.xml", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal);
    }

    public static string PathOf(string relative) => Path.Combine(Root, relative);
}
