using MLNet.Adversarial.Data;

namespace MLNet.Adversarial.Robustness;

/// <summary>The output of a poisoning attack: the clean rows followed by the fake users' rows, which fake users were added, and the promoted items.</summary>
public sealed class PoisonedTable
{
    /// <summary>Creates the result of an attack.</summary>
    public PoisonedTable(InteractionTable table, IReadOnlyList<string> fakeUsers, IReadOnlyList<string> targetItems, int cleanRows)
    {
        Table = table ?? throw new ArgumentNullException(nameof(table));
        FakeUsers = fakeUsers ?? throw new ArgumentNullException(nameof(fakeUsers));
        TargetItems = targetItems ?? throw new ArgumentNullException(nameof(targetItems));
        if (cleanRows < 0 || cleanRows > table.Count) throw new ArgumentOutOfRangeException(nameof(cleanRows));
        CleanRows = cleanRows;
    }

    /// <summary>The poisoned interactions: the clean table's rows first (unchanged, in order), then the fake rows.</summary>
    public InteractionTable Table { get; }

    /// <summary>The ids of the fake users (never ids of the clean table), as text.</summary>
    public IReadOnlyList<string> FakeUsers { get; }

    /// <summary>The ids of the promoted items, as text.</summary>
    public IReadOnlyList<string> TargetItems { get; }

    /// <summary>How many leading rows of <see cref="Table"/> are the clean table's.</summary>
    public int CleanRows { get; }

    /// <summary>Writes <see cref="Table"/> as a tab-separated <c>user item [rating]</c> file (atomically), readable by <see cref="InteractionFileReader"/>.</summary>
    public void Write(string path) => InteractionFileWriter.Write(path, Table);
}
