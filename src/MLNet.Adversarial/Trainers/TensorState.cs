using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Adversarial.Trainers;

/// <summary>Writes and restores the trainer state that lives outside a module's state dictionary: tensors (optimiser moments, averages) and index orders.</summary>
internal static class TensorState
{
    /// <summary>A module's TorchSharp state (its parameters and buffers), as one length-prefixed block.</summary>
    public static void WriteModule(BinaryWriter w, nn.Module module)
    {
        using var bytes = new MemoryStream();
        using (var inner = new BinaryWriter(bytes, System.Text.Encoding.UTF8, leaveOpen: true)) module.save(inner);
        w.Write(checked((int)bytes.Length));
        w.Write(bytes.GetBuffer(), 0, (int)bytes.Length);
    }

    public static void ReadModule(BinaryReader r, nn.Module module)
    {
        int length = r.ReadInt32();
        if (length < 0 || length > r.BaseStream.Length - r.BaseStream.Position) throw new EndOfStreamException();
        using var inner = new BinaryReader(new MemoryStream(r.ReadBytes(length)));
        try
        {
            module.load(inner);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or ExternalException)
        {
            // TorchSharp's message ("Mismatched tensor shape while loading...") does not say which setting differs.
            throw new InvalidOperationException(
                "The checkpoint does not fit this model: resume with the dimensions and Optimizer it was trained with " +
                $"(TorchSharp: {e.Message.Split('\n')[0]})", e);
        }
    }

    public static void WriteTensors(BinaryWriter w, IReadOnlyList<Tensor> tensors)
    {
        w.Write(tensors.Count);
        foreach (var t in tensors)
        {
            using var cpu = t.detach().cpu().contiguous();
            var bytes = cpu.bytes;
            w.Write(bytes.Length);
            w.Write(bytes);
        }
    }

    public static void ReadTensors(BinaryReader r, IReadOnlyList<Tensor> tensors)
    {
        if (r.ReadInt32() != tensors.Count) throw new InvalidOperationException("The checkpoint's optimiser state does not fit this model: resume with the options it was trained with.");
        using var noGrad = torch.no_grad();
        foreach (var t in tensors)
        {
            int length = r.ReadInt32();
            using var cpu = torch.empty(t.shape, t.dtype);
            if (length != cpu.bytes.Length) throw new InvalidOperationException("The checkpoint's optimiser state does not fit this model: resume with the options it was trained with.");
            r.ReadBytes(length).CopyTo(cpu.bytes);
            t.copy_(cpu);
        }
    }

    public static void WriteInts(BinaryWriter w, int[] values)
    {
        w.Write(values.Length);
        foreach (var v in values) w.Write(v);
    }

    /// <summary>Reads into <paramref name="values"/>, which must have the written length.</summary>
    public static void ReadInts(BinaryReader r, int[] values)
    {
        if (r.ReadInt32() != values.Length) throw new InvalidOperationException("The checkpoint was made on other data: resume with the same training data.");
        for (int k = 0; k < values.Length; k++) values[k] = r.ReadInt32();
    }
}
