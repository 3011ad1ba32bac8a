using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace MLNet.Adversarial.Models;

/// <summary>
/// The text part of one side (items or users) of a <see cref="HybridFactorizationModel"/>: a text embedding per row,
/// the centre subtracted from every embedding (the mean embedding of the training rows), and the learned projection W
/// [text dimension × k]. Row r contributes W·(t_r − c) to its embedding; a new text embedding t contributes W·(t − c).
/// </summary>
/// <remarks>
/// The centring does not change what the model can express — the BPR loss only sees differences between items, so a
/// constant W·c would cancel — but it makes "no text" mean "the average text": a row without an embedding holds the
/// centre and contributes nothing.
/// </remarks>
public sealed class TextProjection
{
    /// <summary>Creates the part; array sizes must match (<paramref name="embeddings"/> is [rows, textDimension], <paramref name="weights"/> [textDimension, dimension]).</summary>
    public TextProjection(int dimension, int textDimension, float[] embeddings, float[] center, float[] weights)
    {
        ArgumentNullException.ThrowIfNull(embeddings);
        ArgumentNullException.ThrowIfNull(center);
        ArgumentNullException.ThrowIfNull(weights);
        if (dimension <= 0) throw new ArgumentOutOfRangeException(nameof(dimension), "The dimension must be positive.");
        if (textDimension <= 0) throw new ArgumentOutOfRangeException(nameof(textDimension), "The text dimension must be positive.");
        if (embeddings.Length % textDimension != 0) throw new ArgumentException($"{embeddings.Length} embedding values are not whole rows of {textDimension}.", nameof(embeddings));
        if (center.Length != textDimension) throw new ArgumentException($"Expected a centre of {textDimension} values, got {center.Length}.", nameof(center));
        if (weights.Length != textDimension * dimension) throw new ArgumentException($"Expected {textDimension}×{dimension} projection weights, got {weights.Length} values.", nameof(weights));
        Dimension = dimension;
        TextDimension = textDimension;
        Embeddings = embeddings;
        Center = center;
        Weights = weights;
    }

    /// <summary>k, the size of the projected vectors (the model's embedding dimension).</summary>
    public int Dimension { get; }

    /// <summary>Width of the text embeddings.</summary>
    public int TextDimension { get; }

    /// <summary>Number of rows (items or users) with an embedding.</summary>
    public int Count => Embeddings.Length / TextDimension;

    /// <summary>The text embedding of every row, row-major [rows, text dimension], as given (not centred).</summary>
    public float[] Embeddings { get; }

    /// <summary>The centre c subtracted from each embedding before the projection.</summary>
    public float[] Center { get; }

    /// <summary>The projection W, row-major [text dimension, k]: the projected vector is (t − c) · W.</summary>
    public float[] Weights { get; }

    /// <summary>Writes W·(<paramref name="embedding"/> − c) into <paramref name="destination"/> (length k).</summary>
    /// <exception cref="ArgumentException">The embedding's width is not <see cref="TextDimension"/>.</exception>
    public void Project(ReadOnlySpan<float> embedding, Span<float> destination)
    {
        if (embedding.Length != TextDimension) throw new ArgumentException($"The text embedding has {embedding.Length} values; this model's text embeddings have {TextDimension}.", nameof(embedding));
        if (destination.Length != Dimension) throw new ArgumentException($"Expected a destination of {Dimension} values.", nameof(destination));
        destination.Clear();
        for (int t = 0; t < TextDimension; t++)
        {
            float x = embedding[t] - Center[t];
            if (x != 0) TensorPrimitives.MultiplyAdd(Weights.AsSpan(t * Dimension, Dimension), x, destination, destination);
        }
    }

    /// <summary>The projected text of every row, row-major [rows, k].</summary>
    public float[] ProjectAll()
    {
        var result = new float[Count * Dimension];
        for (int r = 0; r < Count; r++) Project(Embeddings.AsSpan(r * TextDimension, TextDimension), result.AsSpan(r * Dimension, Dimension));
        return result;
    }

    internal void WriteTo(BinaryWriter w)
    {
        w.Write(Dimension);
        w.Write(TextDimension);
        w.Write(Count);
        w.Write(MemoryMarshal.AsBytes(Embeddings.AsSpan()));
        w.Write(MemoryMarshal.AsBytes(Center.AsSpan()));
        w.Write(MemoryMarshal.AsBytes(Weights.AsSpan()));
    }

    internal static TextProjection ReadFrom(BinaryReader r)
    {
        int d = r.ReadInt32(), t = r.ReadInt32(), rows = r.ReadInt32();
        if (d <= 0 || d > 1 << 16 || t <= 0 || t > 1 << 16 || rows < 0) throw new InvalidDataException($"invalid text projection sizes ({rows} rows, {t} text dimensions, k = {d}).");
        var embeddings = ReadFloats(r, checked(rows * t));
        var center = ReadFloats(r, t);
        var weights = ReadFloats(r, checked(t * d));
        return new TextProjection(d, t, embeddings, center, weights);
    }

    private static float[] ReadFloats(BinaryReader r, int count)
    {
        if (r.BaseStream.CanSeek && (long)count * sizeof(float) > r.BaseStream.Length - r.BaseStream.Position) throw new EndOfStreamException();
        var values = new float[count];
        r.BaseStream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }
}
