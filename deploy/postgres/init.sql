-- One database per service (ARCHITECTURE.md: "one database per service").
CREATE DATABASE console;
CREATE DATABASE registry;
CREATE DATABASE inspection;
CREATE DATABASE tasks;
CREATE DATABASE disclosure;
CREATE DATABASE complaints;
