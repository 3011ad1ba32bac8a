namespace MLNet.Adversarial.Data;

/// <summary>
/// Finds the public data sets (MovieLens-100K, the CFGAN split). Their licences forbid redistribution, so they
/// are never shipped: set <c>MLNET_ADV_DATA</c> to the folder holding <c>ml-100k/</c> and <c>cfgan-ml100k/</c>,
/// or keep them in <c>../shared/data</c> next to the repository (searched upwards from the working directory).
/// </summary>
public static class DataLocator
{
    /// <summary>The environment variable that names the data folder.</summary>
    public const string EnvironmentVariable = "MLNET_ADV_DATA";

    /// <summary>The data folder, or null when it cannot be found.</summary>
    public static string? TryFindDataDirectory(string? startDirectory = null)
    {
        var fromEnv = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnv)) return Directory.Exists(fromEnv) ? Path.GetFullPath(fromEnv) : null;
        for (var dir = new DirectoryInfo(startDirectory ?? Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data");
            if (Directory.Exists(Path.Combine(candidate, "ml-100k"))) return candidate;
        }
        return null;
    }

    /// <summary>The path of <paramref name="relativePath"/> inside the data folder; throws a helpful error when it is missing.</summary>
    /// <exception cref="DirectoryNotFoundException">The data folder or file is missing.</exception>
    public static string GetPath(string relativePath, string? startDirectory = null)
    {
        var root = TryFindDataDirectory(startDirectory) ?? throw new DirectoryNotFoundException(
            $"The data folder was not found. Set {EnvironmentVariable} to a folder holding ml-100k/ (download it from " +
            "https://grouplens.org/datasets/movielens/100k/) or place it at ../shared/data beside the repository.");
        var path = Path.Combine(root, relativePath);
        if (!File.Exists(path) && !Directory.Exists(path))
            throw new DirectoryNotFoundException($"'{relativePath}' is missing from the data folder '{root}'.");
        return path;
    }
}
