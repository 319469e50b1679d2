from opendeur.cli import main

main()
