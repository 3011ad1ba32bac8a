using MLNet.Adversarial.Data;
using MLNet.Adversarial.Models;
using MLNet.Adversarial.Text;

namespace MLNet.Adversarial.Trainers;

/// <summary>
/// The text of a hybrid training run laid out over the training vocabularies: one embedding per item (and user) row,
/// rows without text filled with the mean embedding, and the centre (that mean) subtracted for the network.
/// </summary>
internal sealed class TrainingText
{
    private TrainingText(Side items, Side? users)
    {
        ItemSide = items;
        UserSide = users;
    }

    /// <summary>One side's embeddings: as given (for the model) and centred (for the network).</summary>
    public sealed record Side(float[] Embeddings, float[] Center, float[] Centred, int Dimension, int Missing, string Name);

    public Side ItemSide { get; }
    public Side? UserSide { get; }

    public float[] Items => ItemSide.Centred;
    public int ItemDimension => ItemSide.Dimension;
    public float[]? Users => UserSide?.Centred;
    public int UserDimension => UserSide?.Dimension ?? 0;

    /// <summary>Lays <paramref name="itemText"/> (and <paramref name="userText"/>) over <paramref name="train"/>'s vocabularies.</summary>
    public static TrainingText Create(InteractionData train, TextFeatures itemText, TextFeatures? userText) =>
        new(Lay(itemText, train.Items), userText is null ? null : Lay(userText, train.Users));

    private static Side Lay(TextFeatures text, IdVocabulary vocabulary)
    {
        var rows = text.RowsFor(vocabulary, out int missing);
        int t = text.Dimension, count = vocabulary.Count;
        var center = new float[t];
        var sum = new double[t];
        for (int r = 0; r < count; r++)
            for (int k = 0; k < t; k++) sum[k] += rows[r * t + k];
        for (int k = 0; k < t; k++) center[k] = count == 0 ? 0 : (float)(sum[k] / count);
        var centred = new float[rows.Length];
        for (int r = 0; r < count; r++)
            for (int k = 0; k < t; k++) centred[r * t + k] = rows[r * t + k] - center[k];
        return new Side(rows, center, centred, t, missing, text.Name);
    }

    /// <summary>The hybrid model of id factors <paramref name="factors"/> and the network's current projections.</summary>
    public HybridFactorizationModel Model(FactorizationModel factors, float[] itemWeights, float[]? userWeights) => new(factors,
        new TextProjection(factors.Dimension, ItemSide.Dimension, ItemSide.Embeddings, ItemSide.Center, itemWeights),
        UserSide is null ? null : new TextProjection(factors.Dimension, UserSide.Dimension, UserSide.Embeddings, UserSide.Center, userWeights!));

    /// <summary>A fingerprint of the text, recorded in checkpoints: resuming with other text would train another model.</summary>
    public string Fingerprint()
    {
        using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        sha.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(ItemSide.Embeddings.AsSpan()));
        if (UserSide is not null) sha.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(UserSide.Embeddings.AsSpan()));
        return Convert.ToHexString(sha.GetHashAndReset()).ToLowerInvariant()[..16];
    }
}
