using System;
using System.Collections.Generic;
using System.Threading;
using CnnGen.Generator.Model;
using CnnGen.Generator.Planning;

namespace CnnGen.Generator.Emitting.Kernels
{
    /// <summary>One tap of a vector conv step: the refs to read from and the offsets from them, as C# text.</summary>
    internal readonly record struct Tap(Func<string, string> Source, string SourceOffset, string Weight, string WeightOffset);

    /// <summary>
    /// The loops and unrolled taps of a vector conv step over the phase planes (dilated taps at fy·Dy, fx·Dx; a grouped
    /// conv's step loops over the channels of its group only), as far as the plan's unroll level goes:
    /// Window (a loop over input channels, the window's taps unrolled), Row (loops over channels and window rows, each
    /// row's taps unrolled) or None. (<see cref="Unrolling.Vector"/> never asks a vector step to unroll the channels.) The caller writes each tap's loads and
    /// multiply-adds; this writes the loops and moves the source and weight refs along.
    /// </summary>
    internal static class VectorTaps
    {
        /// <param name="sources">The source refs the step reads (one, or one per vector when the rows are whole vectors).</param>
        /// <param name="weight">The weight ref at the first tap of channel 0.</param>
        /// <param name="perTap">Floats between the weights of consecutive taps (1 in PyTorch's layout, K when packed [D][Fy][Fx][K]).</param>
        /// <param name="chunk">Input channels the loop goes over (a chunk of them); 0 for all of the group's.</param>
        public static void Emit(SourceWriter w, LayerModel l, PhaseLayout phases, UnrollLevel level, IReadOnlyList<string> sources, string weight, long perTap, Action<Tap> tap, CancellationToken cancellationToken, int chunk = 0)
        {
            Window window = l.Window!;
            int fy = window.SizeY, fx = window.SizeX, sx = window.StrideX, sy = window.StrideY, dx = window.DilationX, dy = window.DilationY;
            int channels = chunk > 0 ? chunk : l.GroupDepth;
            long depth = phases.Depth;
            long perChannel = (long)window.Taps * perTap;
            long plane = phases.Plane;
            Func<string, string> same = s => s;

            w.Line("ref float wd = ref " + weight + ";");
            using (w.For("d", channels, out Affine _))
            {
                if (level == UnrollLevel.Window)
                {
                    for (int y = 0; y < fy; y++)
                    {
                        for (int x = 0; x < fx; x++)
                        {
                            cancellationToken.ThrowIfCancellationRequested();
                            w.Line("// tap (" + y + ", " + x + ")");
                            tap(new Tap(same, Text.Literal(phases.TapOffset(y, x, window)), "wd", Text.Literal((((long)y * fx) + x) * perTap)));
                        }
                    }
                }
                else
                {
                    using (w.For("fy", fy, out Affine row))
                    {
                        // Row fy of the window is padded row fy·Dy: phase row (fy·Dy) % Sy, row (fy·Dy) / Sy of that phase's planes.
                        string cellRow = dy == 1 ? "fy" : "(fy * " + dy + ")";
                        string rowOffset = fy == 1 || sy == 1
                            ? (row * ((long)dy * phases.RowPitch)).ToString()
                            : "((" + cellRow + " % " + sy + ") * " + Text.Literal(phases.PhasesX * depth * plane) + ") + ((" + cellRow + " / " + sy + ") * " + phases.RowPitch + ")";
                        foreach (string source in sources)
                        {
                            w.Line("ref float " + source + "r = ref " + Code.At(source, rowOffset) + ";");
                        }

                        w.Line("ref float wr = ref " + Code.At("wd", (row * (fx * perTap)).ToString()) + ";");
                        Func<string, string> rowRef = s => s + "r";
                        if (level == UnrollLevel.Row)
                        {
                            for (int x = 0; x < fx; x++)
                            {
                                long cx = (long)x * dx;
                                w.Line("// tap (fy, " + x + ")");
                                tap(new Tap(rowRef, Text.Literal((cx % sx * depth * plane) + (cx / sx) + phases.Skew(cx % sx)), "wr", Text.Literal(x * perTap)));
                            }
                        }
                        else
                        {
                            using (w.For("fx", fx, out Affine column))
                            {
                                string cellColumn = dx == 1 ? "fx" : "(fx * " + dx + ")";
                                string columnOffset = fx == 1 || sx == 1
                                    ? (column * dx).ToString()
                                    : "((" + cellColumn + " % " + sx + ") * " + Text.Literal(depth * plane) + ") + (" + cellColumn + " / " + sx + ")" +
                                      (phases.SkewEven != 0 || phases.SkewOdd != 0 ? " + (" + cellColumn + " % " + sx + " == 0 ? " + phases.SkewEven + " : " + phases.SkewOdd + ")" : string.Empty);
                                tap(new Tap(rowRef, columnOffset, "wr", (column * perTap).ToString()));
                            }
                        }
                    }
                }

                if (channels > 1)
                {
                    foreach (string source in sources)
                    {
                        w.Line(source + " = ref " + Code.Unsafe + ".Add(ref " + source + ", " + Text.Literal(plane) + ");");
                    }

                    w.Line("wd = ref " + Code.Unsafe + ".Add(ref wd, " + Text.Literal(perChannel) + ");");
                }
            }
        }
    }
}
